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

    def do_GET(self):
        Recorder.requests.append((time.monotonic(), dict(self.headers), [{"get": self.path}]))
        answer = json.dumps({"run": "r", "model": "m", "status": "running", "problems": [
            {"kind": "divergence", "severity": "critical", "step": 3, "metric": "loss", "value": 9.0,
             "message": "loss diverges"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class StandInServer(unittest.TestCase):
    """Starts a Recorder on a free port for each test."""

    def setUp(self):
        Recorder.requests = []
        Recorder.statuses = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()


class ClientTest(StandInServer):
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


class FrameworkCallbackTest(StandInServer):
    """The Keras and Lightning callbacks with stand-in framework modules: they import their framework only
    when called, log each batch, and stop the run when the server reports a critical problem."""

    def fake_modules(self):
        import types

        class Callback:
            def __init__(self):
                pass

        keras = types.ModuleType("keras")
        keras.callbacks = types.SimpleNamespace(Callback=Callback)
        lightning = types.ModuleType("pytorch_lightning")
        lightning.Callback = Callback
        saved = {k: sys.modules.get(k) for k in ("keras", "tensorflow", "lightning", "lightning.pytorch", "pytorch_lightning")}
        self.addCleanup(lambda: [sys.modules.pop(k, None) if v is None else sys.modules.__setitem__(k, v)
                                 for k, v in saved.items()])
        sys.modules["tensorflow"] = None
        sys.modules["lightning"] = None
        sys.modules["lightning.pytorch"] = None
        sys.modules["keras"] = keras
        sys.modules["pytorch_lightning"] = lightning

    def test_keras_callback_logs_batches_and_stops_the_model(self):
        self.fake_modules()
        c = modelwatch.Client(self.url, flush_interval=0.01)
        cb = modelwatch.keras_callback(c, "m", "r", stop_on=("critical",), check_every=2)
        import types
        cb.model = types.SimpleNamespace(stop_training=False, optimizer=types.SimpleNamespace(learning_rate=0.01))
        cb.on_epoch_begin(0)
        cb.on_train_batch_end(0, {"loss": 2.3})
        self.assertFalse(cb.model.stop_training)
        cb.on_train_batch_end(1, {"loss": 9.0})
        self.assertTrue(cb.model.stop_training)
        cb.on_epoch_end(0, {"loss": 9.0, "val_loss": 8.0})
        c.close()
        steps = [e for _, _, batch in Recorder.requests for e in batch if e.get("type") == "training"]
        self.assertEqual([e["step"] for e in steps], [0, 1, 1])
        self.assertEqual(steps[0]["metrics"], {"loss": 2.3, "lr": 0.01})
        self.assertEqual(steps[2]["metrics"], {"val_loss": 8.0})

    def test_lightning_callback_logs_batches_and_stops_the_trainer(self):
        self.fake_modules()
        import types
        c = modelwatch.Client(self.url, flush_interval=0.01)
        cb = modelwatch.lightning_callback(c, "m", "r", stop_on=("critical",), check_every=1)
        opt = types.SimpleNamespace(param_groups=[{"lr": 0.1}])
        trainer = types.SimpleNamespace(callback_metrics={"acc": 0.5}, optimizers=[opt], global_step=7,
                                        current_epoch=1, should_stop=False, sanity_checking=False)
        cb.on_train_batch_end(trainer, None, {"loss": types.SimpleNamespace(item=lambda: 1.5)}, None, 0)
        self.assertTrue(trainer.should_stop)
        c.close()
        steps = [e for _, _, batch in Recorder.requests for e in batch if e.get("type") == "training"]
        self.assertEqual(steps[0]["metrics"], {"acc": 0.5, "loss": 1.5, "lr": 0.1})
        self.assertEqual((steps[0]["step"], steps[0]["epoch"]), (7, 1))


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
