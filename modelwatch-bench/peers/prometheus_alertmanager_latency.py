#!/usr/bin/env python3
"""Breach-to-notification latency of Prometheus + Alertmanager on a gauge that flips (BENCHMARKS.md).

Runs the Debian packages (apt-get install prometheus prometheus-alertmanager: Prometheus 2.42,
Alertmanager 0.25) against a one-gauge exporter and a webhook receiver served by this script, with
the rule `flip_gauge > 0.5` (for: 0s). Each trial sets the gauge to 1, times the firing webhook,
sets it back to 0 and waits for the resolution.

  python3 prometheus_alertmanager_latency.py tuned 10      # scrape and evaluation 1s, group_wait 0s
  python3 prometheus_alertmanager_latency.py defaults 3    # scrape and evaluation 1m, group_wait 30s
"""
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "tuned"
TRIALS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
gauge = [0.0]
hooks = []  # (time, status)


class Exporter(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("# TYPE flip_gauge gauge\nflip_gauge %s\n" % gauge[0]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        payload = json.loads(self.rfile.read(n))
        hooks.append((time.time(), payload.get("status")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def wait_for(status, timeout):
    deadline = time.time() + timeout
    seen = len(hooks)
    while time.time() < deadline:
        for t, s in hooks[seen:]:
            if s == status:
                return t
        time.sleep(0.01)
    return None


def main():
    srv = Server(("127.0.0.1", 0), Exporter)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    d = tempfile.mkdtemp(prefix="prom-am-")
    tuned = MODE == "tuned"
    interval = "1s" if tuned else "1m"
    with open(os.path.join(d, "rules.yml"), "w") as f:
        f.write("groups:\n- name: flip\n  rules:\n  - alert: Flip\n    expr: flip_gauge > 0.5\n    for: 0s\n")
    with open(os.path.join(d, "prometheus.yml"), "w") as f:
        f.write("global: {scrape_interval: %s, evaluation_interval: %s}\n" % (interval, interval)
                + "rule_files: [%s/rules.yml]\n" % d
                + "alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:19093']}]}]}\n"
                + "scrape_configs: [{job_name: flip, static_configs: [{targets: ['127.0.0.1:%d']}]}]\n" % port)
    with open(os.path.join(d, "alertmanager.yml"), "w") as f:
        f.write("route: {receiver: hook, group_by: [alertname]%s}\n"
                % (", group_wait: 0s, group_interval: 1s" if tuned else "")
                + "receivers: [{name: hook, webhook_configs: [{url: 'http://127.0.0.1:%d/hook', send_resolved: true}]}]\n"
                % port)
    am = subprocess.Popen(["prometheus-alertmanager", "--config.file=" + d + "/alertmanager.yml",
                           "--storage.path=" + d + "/am", "--web.listen-address=127.0.0.1:19093",
                           "--cluster.listen-address="], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prom = subprocess.Popen(["prometheus", "--config.file=" + d + "/prometheus.yml", "--storage.tsdb.path=" + d + "/tsdb",
                             "--web.listen-address=127.0.0.1:19090"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5 if tuned else 70)  # a first scrape and evaluation of the healthy gauge
        lat = []
        for trial in range(TRIALS):
            t0 = time.time()
            gauge[0] = 1.0
            fired = wait_for("firing", 300)
            if fired is None:
                print("no firing notification in 300 s", flush=True)
                break
            lat.append(fired - t0)
            print("trial: %.3f s" % (fired - t0), flush=True)
            gauge[0] = 0.0
            if trial == TRIALS - 1:
                break
            if wait_for("resolved", 600) is None:
                print("no resolved notification", flush=True)
                break
            time.sleep(2 if tuned else 5)
        lat.sort()
        if lat:
            print("%s: n=%d p50 %.2f s, max %.2f s" % (MODE, len(lat), lat[len(lat) // 2], lat[-1]), flush=True)
    finally:
        prom.terminate()
        am.terminate()
        prom.wait()
        am.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
