"""The client against a stand-in HTTP server in this process: batching, gzip, Retry-After, a server that is away."""
import gzip
import http.server
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import modelwatch  # noqa: E402


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers POST /api/v1/events with the queued statuses (then 200), recording each request."""
    requests = []
    statuses = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        events = [json.loads(line) for line in body.decode("utf-8").splitlines() if line]
        Recorder.requests.append((time.monotonic(), dict(self.headers), events))
        status = Recorder.statuses.pop(0) if Recorder.statuses else 200
        if status == 429:
            self.send_response(429)
            self.send_header("Retry-After", "0.3")
            self.end_headers()
            self.wfile.write(b'{"error":"overloaded"}')
            return
        answer = json.dumps({"accepted": len(events), "rejected": 0, "errors": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class ClientTest(unittest.TestCase):
    def setUp(self):
        Recorder.requests = []
        Recorder.statuses = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_events_are_sent_in_gzip_ndjson_batches_with_nan_kept(self):
        c = modelwatch.Client(self.url, batch_size=100, flush_interval=0.2)
        for i in range(250):
            c.log_step("m", "r", i, {"loss": float("nan") if i == 7 else 1.0 / (i + 1)})
        c.log_prediction("m", "p-1", features={"x": 1.5}, prediction=1, score=0.9)
        c.log_label("m", "p-1", 1)
        self.assertTrue(c.flush(10))
        c.close()
        events = [e for _, _, batch in Recorder.requests for e in batch]
        self.assertEqual(len(events), 252)
        self.assertTrue(all(len(batch) <= 100 for _, _, batch in Recorder.requests))
        self.assertEqual(Recorder.requests[0][1]["Content-Encoding"], "gzip")
        self.assertEqual(Recorder.requests[0][1]["Content-Type"], "application/x-ndjson")
        self.assertTrue(str(events[7]["metrics"]["loss"]) == "nan")
        self.assertEqual([e["type"] for e in events[-2:]], ["prediction", "label"])
        self.assertEqual(c.stats()["sent"], 252)

    def test_a_429_is_retried_after_its_retry_after(self):
        Recorder.statuses = [429]
        c = modelwatch.Client(self.url, flush_interval=0.05)
        c.log_step("m", "r", 0, {"loss": 1.0})
        self.assertTrue(c.flush(10))
        c.close()
        self.assertEqual(len(Recorder.requests), 2)
        self.assertGreaterEqual(Recorder.requests[1][0] - Recorder.requests[0][0], 0.3)
        self.assertEqual(c.stats()["retries"], 1)
        self.assertEqual(c.stats()["sent"], 1)


class ServerAwayTest(unittest.TestCase):
    def test_logging_never_blocks_and_drops_are_counted_when_the_queue_is_full(self):
        # a port nothing listens on
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        c = modelwatch.Client("http://127.0.0.1:%d" % port, max_queue=50, batch_size=10, flush_interval=0.01,
                              timeout=0.5, max_backoff=0.2)
        results = [c.log_step("m", "r", i, {"loss": 1.0}) for i in range(1000)]
        self.assertIn(False, results)
        self.assertGreaterEqual(c.stats()["dropped"], 1000 - 50 - 10)
        self.assertFalse(c.flush(0.3))
        c.close(timeout=0.1)
        self.assertIsNotNone(c.stats()["last_error"])
        self.assertGreaterEqual(c.stats()["retries"], 1)


if __name__ == "__main__":
    unittest.main()
