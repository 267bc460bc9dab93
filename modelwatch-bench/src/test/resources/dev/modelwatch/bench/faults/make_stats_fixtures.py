# Fixtures of StatsTest, computed with scipy (run with the Debian python3: /usr/bin/python3 make_stats_fixtures.py).
import json
import numpy as np
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20260216)


def ints(x):
    # the KS test reads only the order of the values: integers (1e-4 of a standard deviation) keep the file small
    return [int(v) for v in np.round(x * 10_000)]


# named samples, shared by the cases; a case may take the first n values of one
samples = {
    "ref": ints(rng.normal(size=12_000)),  # its first 10,000 are the largest exact case, all 12,000 an asymptotic one
    "big": ints(rng.normal(size=10_500) + 0.03),
    "cur150": ints(rng.normal(size=150)),
    "cur150_shift": ints(rng.normal(size=150) + 0.3),
    "cur500": ints(rng.normal(size=500)),
    "cur500_shift": ints(rng.normal(size=500) + 0.1),
    "cur1000_shift": ints(rng.normal(size=1_000) + 0.05),
}
# heavy ties: the same values on a grid of a fifth of a standard deviation
for name in ["ref", "cur150", "cur500_shift", "cur500"]:
    samples[name + "_coarse"] = [v // 2_000 for v in samples[name]]

cases = [
    ("ref", 2_000, "cur150", None), ("ref", 2_000, "cur150_shift", None), ("ref", 6_000, "cur500_shift", None),
    ("ref", 10_000, "cur150", None), ("ref", 10_000, "cur150_shift", None),
    ("ref", 10_000, "cur500", None), ("ref", 10_000, "cur500_shift", None),
    ("ref", 1_000, "cur1000_shift", None), ("ref", 500, "cur500", None),  # equal sizes
    ("ref", 30, "cur150", 17), ("ref", 25, "cur500_shift", 25), ("ref", 40, "cur150_shift", 12),  # small
    ("ref_coarse", 10_000, "cur500_shift_coarse", None), ("ref_coarse", 3_000, "cur150_coarse", None),
    ("ref_coarse", 500, "cur500_coarse", None), ("ref_coarse", 12_000, "cur150_coarse", None),  # ties
    ("ref", 12_000, "cur150", None), ("ref", 12_000, "cur150_shift", None), ("ref", 12_000, "cur500_shift", None),
    ("ref", 12_000, "cur150_shift", 130), ("ref", 12_000, "cur150", 60),  # asymptotic at an effective size <= 140
    ("ref", 12_000, "big", None), ("big", 10_500, "cur1000_shift", None),  # asymptotic: a sample over 10,000
]
out = {"samples": samples, "ks": [], "js": [], "chi2": []}
for a, n, b, m in cases:
    x = np.array(samples[a][:n])
    y = np.array(samples[b][:m])
    # Evidently's call: ks_2samp with method "auto" (exact when both samples have at most 10,000 values)
    r = stats.ks_2samp(x, y)
    out["ks"].append({"a": a, "n": len(x), "b": b, "m": len(y), "d": float(r.statistic), "p": float(r.pvalue),
                      "method": "exact" if max(len(x), len(y)) <= 10_000 else "asymp"})
for p, q in [([0.1, 0.2, 0.7], [0.3, 0.3, 0.4]), ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]), ([0.25] * 4, [0.25] * 4)]:
    out["js"].append({"p": p, "q": q, "d": float(distance.jensenshannon(p, q))})
for x, df in [(3.84, 1), (10.0, 3), (0.5, 2), (150.0, 120), (30.0, 7)]:
    out["chi2"].append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})
with open("stats-fixtures.json", "w") as f:
    json.dump(out, f, separators=(",", ":"))
