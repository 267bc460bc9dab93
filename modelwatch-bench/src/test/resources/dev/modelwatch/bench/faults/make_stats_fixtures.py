# Fixtures of StatsTest, computed with scipy (run with the Debian python3: /usr/bin/python3 make_stats_fixtures.py).
import json
import numpy as np
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20260216)
out = {"ks": [], "js": [], "chi2": []}
for n, m, shift in [(2000, 150, 0.0), (2000, 150, 0.3), (6000, 500, 0.1), (1000, 1000, 0.05)]:
    a = np.round(rng.normal(size=n), 6)
    b = np.round(rng.normal(size=m) + shift, 6)
    # the statistic from ks_2samp; the p-value of the limiting Kolmogorov distribution at D sqrt(n m / (n + m))
    # (scipy's own "asymp" uses kstwo at round(n m / (n + m)), a finite-n form a few percent apart)
    r = stats.ks_2samp(a, b, method="asymp")
    en = n * m / (n + m)
    out["ks"].append({"a": a.tolist(), "b": b.tolist(), "d": float(r.statistic),
                      "p": float(stats.kstwobign.sf(r.statistic * np.sqrt(en)))})
for p, q in [([0.1, 0.2, 0.7], [0.3, 0.3, 0.4]), ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]), ([0.25] * 4, [0.25] * 4)]:
    out["js"].append({"p": p, "q": q, "d": float(distance.jensenshannon(p, q))})
for x, df in [(3.84, 1), (10.0, 3), (0.5, 2), (150.0, 120), (30.0, 7)]:
    out["chi2"].append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})
with open("stats-fixtures.json", "w") as f:
    json.dump(out, f)
