"""Real training loops (PyTorch, scikit-learn's digits) against a started ModelWatch server.

Needs MODELWATCH_URL (the server) and torch + sklearn; skipped otherwise. The JUnit test
PythonClientTest starts a server and runs these with Debian's /usr/bin/python3.
"""
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import modelwatch  # noqa: E402

URL = os.environ.get("MODELWATCH_URL")
try:
    import torch
    from sklearn.datasets import load_digits
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False

# The run with a learning rate 100x too high is stopped within this many steps of its start: its loss
# blows up in the first 2-3 steps, the divergence detector confirms it over 3 logged steps, and the
# helper asks the server every 5 steps (check_every).
STOP_WITHIN = 15


def digits():
    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target, dtype=torch.long)
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(x), generator=g)
    x, y = x[perm], y[perm]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def train(net, lr, steps, run, client, stop_on=(), batch=50, step_time=False, check_every=5):
    torch.manual_seed(1)
    xt, yt, xv, yv = digits()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    watcher = modelwatch.TorchWatcher(client, "digits", run, net, opt, stop_on=stop_on, check_every=check_every,
                                      step_time=step_time)
    per_epoch = len(xt) // batch
    done = 0
    for step in range(steps):
        i = step % per_epoch
        net.train()
        opt.zero_grad()
        loss = loss_fn(net(xt[i * batch:(i + 1) * batch]), yt[i * batch:(i + 1) * batch])
        loss.backward()
        opt.step()
        extra = {}
        if i == per_epoch - 1:
            net.eval()
            with torch.no_grad():
                extra["val_loss"] = float(loss_fn(net(xv), yv))
        watcher.step(step, loss.item(), epoch=step // per_epoch, **extra)
        done = step + 1
        if watcher.should_stop:
            break
    watcher.finish(failed=watcher.should_stop)
    client.flush(10)
    return done, watcher


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(),
                               torch.nn.Linear(32, 10))


@unittest.skipUnless(HAVE_TORCH and URL, "needs torch, sklearn and MODELWATCH_URL")
class TorchTrainingTest(unittest.TestCase):
    def setUp(self):
        self.client = modelwatch.Client(URL, flush_interval=0.05)

    def tearDown(self):
        self.client.close()

    def problems(self, run):
        answer = self.client.run("digits", run)
        self.assertIsNotNone(answer, "the server does not know run %s" % run)
        return answer["problems"]

    def test_healthy_mlp_on_digits_gets_no_problem(self):
        run = "healthy-" + uuid.uuid4().hex[:8]
        done, _ = train(mlp(), lr=0.3, steps=280, run=run, client=self.client, stop_on=("critical",))
        self.assertEqual(done, 280)
        self.assertEqual(self.problems(run), [])
        answer = self.client.run("digits", run, metrics="loss,val_loss,grad_norm/0,update_ratio/0,dead_fraction/1")
        self.assertEqual(answer["status"], "finished")
        loss = answer["metrics"]["loss"]
        self.assertEqual(len(loss), 280)
        self.assertLess(loss[-1][1], loss[0][1] / 4)
        for name in ("val_loss", "grad_norm/0", "update_ratio/0", "dead_fraction/1"):
            self.assertTrue(answer["metrics"][name], name)

    def test_learning_rate_100_times_too_high_is_flagged_and_stopped(self):
        run = "too-high-" + uuid.uuid4().hex[:8]
        done, watcher = train(mlp(), lr=30.0, steps=280, run=run, client=self.client, stop_on=("critical",))
        kinds = {p["kind"] for p in self.problems(run)}
        self.assertTrue(kinds & {"divergence", "nan_loss", "exploding_gradients"}, kinds)
        self.assertTrue(watcher.should_stop)
        self.assertIn("critical", watcher.stop_reason)
        self.assertLessEqual(done, STOP_WITHIN, watcher.stop_reason)
        print("\n  lr 100x too high: stopped after %d steps: %s" % (done, watcher.stop_reason))
        self.assertEqual(self.client.run("digits", run)["status"], "failed")

    def test_deep_sigmoid_network_shows_vanishing_gradients_in_its_first_layers(self):
        run = "sigmoid-" + uuid.uuid4().hex[:8]
        torch.manual_seed(0)
        layers = [torch.nn.Linear(64, 32), torch.nn.Sigmoid()]
        for _ in range(8):
            layers += [torch.nn.Linear(32, 32), torch.nn.Sigmoid()]
        net = torch.nn.Sequential(*layers, torch.nn.Linear(32, 10))
        train(net, lr=0.05, steps=60, run=run, client=self.client)
        vanishing = [p for p in self.problems(run) if p["kind"] == "vanishing_gradients"]
        self.assertTrue(vanishing, self.problems(run))
        # the layer whose gradients vanish is among the first ones (module index 0, 2 or 4)
        self.assertIn(vanishing[0]["metric"], ("grad_norm/0", "grad_norm/2", "grad_norm/4"), vanishing[0])
        print("\n  deep sigmoid: " + vanishing[0]["message"])


if __name__ == "__main__":
    unittest.main()
