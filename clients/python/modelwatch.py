"""ModelWatch client: send predictions, labels and training steps to a ModelWatch server.

One file, standard library only. Events are queued and sent by a background thread in gzip-compressed
NDJSON batches; a server that is down, slow or overloaded (429 with Retry-After) never blocks or crashes
the caller: batches are retried with backoff, and when the bounded queue is full new events are dropped
and counted (``client.stats()``).

    import modelwatch
    mw = modelwatch.Client("http://127.0.0.1:8080")
    mw.log_prediction("fraud", "p-1", features={"amount": 12.5}, prediction=1, score=0.91)
    mw.log_label("fraud", "p-1", 1)
    mw.log_step("fraud", "run-42", step=100, metrics={"loss": 0.31, "lr": 1e-3})
    mw.close()

PyTorch training loop, with per-layer gradient norms, weight-update ratios, dead-ReLU and saturated
fractions, and a closed loop that stops the run when the server reports a critical problem:

    watcher = modelwatch.TorchWatcher(mw, "digits-mlp", "run-1", net, optimizer, stop_on=("critical",))
    for step, (x, y) in enumerate(batches):
        optimizer.zero_grad(); loss = loss_fn(net(x), y); loss.backward(); optimizer.step()
        watcher.step(step, loss.item())
        if watcher.should_stop:
            print(watcher.stop_reason); break
"""

import gzip
import json
import logging
import math
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["Client", "TorchWatcher", "keras_callback", "lightning_callback"]
__version__ = "0.1.0"

log = logging.getLogger("modelwatch")


def _now_ms():
    return int(time.time() * 1000)


def _number(v):
    """A metric value as a float (NaN and infinities kept: they are the signal)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


class Client:
    """Sends events to a ModelWatch server from a background thread.

    url: the server (``http://host:8080``); token: an API token with the ``ingest`` (and ``read``, for
    ``run_problems``) scope; batch_size: events per request; flush_interval: seconds an event may wait
    for its batch; max_queue: events held while the server is away (beyond, new events are dropped and
    counted); timeout: seconds per HTTP request; max_backoff: longest wait between retries.
    """

    def __init__(self, url="http://127.0.0.1:8080", token=None, batch_size=500, flush_interval=1.0,
                 max_queue=100_000, timeout=5.0, max_backoff=30.0, compress=True):
        if batch_size < 1:
            raise ValueError("batch_size: must be at least 1, got %r" % (batch_size,))
        if max_queue < 1:
            raise ValueError("max_queue: must be at least 1, got %r" % (max_queue,))
        self.url = url.rstrip("/")
        self.token = token
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.compress = compress
        self._queue = queue.Queue(maxsize=max_queue)
        self._lock = threading.Lock()
        self._stats = {"queued": 0, "sent": 0, "rejected": 0, "dropped": 0, "retries": 0}
        self._last_error = None
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="modelwatch-sender", daemon=True)
        self._thread.start()

    # ---- events ----

    def log_prediction(self, model, id, features=None, prediction=None, score=None, scores=None,
                       latency_ms=None, version=None, segments=None, error=None, timestamp=None):
        """One inference of ``model``; ``id`` joins a later ``log_label``."""
        e = {"type": "prediction", "model": model, "id": str(id), "timestamp": timestamp or _now_ms()}
        for k, v in (("features", features), ("prediction", prediction), ("score", score), ("scores", scores),
                     ("latency_ms", latency_ms), ("version", version), ("segments", segments), ("error", error)):
            if v is not None:
                e[k] = v
        return self._put(e)

    def log_label(self, model, id, label, timestamp=None):
        """The true label of the prediction ``id`` of ``model``, whenever it is known."""
        return self._put({"type": "label", "model": model, "id": str(id), "label": label,
                          "timestamp": timestamp or _now_ms()})

    def log_step(self, model, run, step, metrics, epoch=None, timestamp=None):
        """One step (or epoch) of training run ``run`` of ``model``: any metrics, NaN included."""
        e = {"type": "training", "model": model, "run": str(run), "step": int(step),
             "metrics": {str(k): _number(v) for k, v in metrics.items()}, "timestamp": timestamp or _now_ms()}
        if epoch is not None:
            e["epoch"] = int(epoch)
        return self._put(e)

    def log_metric(self, name, value, model=None, labels=None, timestamp=None):
        """Any other measurement (resources, counters)."""
        e = {"type": "metric", "name": name, "value": _number(value), "timestamp": timestamp or _now_ms()}
        if model is not None:
            e["model"] = model
        if labels:
            e["labels"] = labels
        return self._put(e)

    def _put(self, event):
        """Queues an event; False (and counted as dropped) when the queue is full or the client closed."""
        if self._closed.is_set():
            with self._lock:
                self._stats["dropped"] += 1
            return False
        try:
            with self._lock:
                self._pending += 1
            self._queue.put_nowait(event)
        except queue.Full:
            with self._lock:
                self._pending -= 1
                self._stats["dropped"] += 1
            return False
        with self._lock:
            self._stats["queued"] += 1
        return True

    # ---- reading back ----

    def run(self, model, run, metrics=""):
        """The run as ``GET /api/v1/runs/{run}`` answers it (``metrics``: names of the series wanted,
        none by default); None when the server cannot be reached or does not know the run yet."""
        query = urllib.parse.urlencode({"model": model, "metrics": metrics})
        req = urllib.request.Request("%s/api/v1/runs/%s?%s" % (self.url, urllib.parse.quote(str(run), safe=""), query))
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as e:
            self._last_error = str(e)
            return None

    # ---- lifecycle ----

    def flush(self, timeout=None):
        """Waits until every queued event was sent (or given up); False when ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._pending > 0:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self, timeout=5.0):
        """Sends what is queued (waiting at most ``timeout`` seconds) and stops the sender thread."""
        self.flush(timeout)
        self._closed.set()
        self._thread.join(timeout=max(0.1, self.timeout))

    def stats(self):
        """Counts: queued, sent, rejected (by the server, per event), dropped (queue full or given up), retries."""
        with self._lock:
            s = dict(self._stats)
        s["last_error"] = self._last_error
        return s

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the sender thread ----

    def _run(self):
        while not (self._closed.is_set() and self._queue.empty()):
            try:
                first = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            batch = [first]
            deadline = time.monotonic() + self.flush_interval
            while len(batch) < self.batch_size:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(self._queue.get(timeout=left))
                except queue.Empty:
                    break
            try:
                self._send(batch)
            except Exception as e:  # the sender must survive anything: count and go on
                self._last_error = repr(e)
                with self._lock:
                    self._stats["dropped"] += len(batch)
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _send(self, batch):
        body = "\n".join(json.dumps(e, separators=(",", ":")) for e in batch).encode("utf-8")
        headers = {"Content-Type": "application/x-ndjson"}
        if self.compress:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        backoff = 0.1
        while True:
            req = urllib.request.Request(self.url + "/api/v1/events", data=body, headers=headers, method="POST")
            wait = None
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as r:
                    answer = json.loads(r.read().decode("utf-8"))
                with self._lock:
                    self._stats["sent"] += answer.get("accepted", 0)
                    self._stats["rejected"] += answer.get("rejected", 0)
                for err in answer.get("errors", [])[:3]:
                    log.warning("modelwatch rejected an event: %s", err.get("error"))
                return
            except urllib.error.HTTPError as e:
                self._last_error = "HTTP %d" % e.code
                if e.code in (429, 503):
                    wait = _retry_after(e.headers.get("Retry-After"))
                elif e.code >= 500:
                    pass
                else:  # 400, 401, 403, 413: retrying the same batch cannot help
                    log.warning("modelwatch refused a batch of %d events: HTTP %d %s", len(batch), e.code,
                                e.read()[:200].decode("utf-8", "replace"))
                    with self._lock:
                        self._stats["dropped"] += len(batch)
                    return
            except (urllib.error.URLError, OSError, ValueError) as e:
                self._last_error = str(e)
            if self._closed.is_set():
                with self._lock:
                    self._stats["dropped"] += len(batch)
                return
            with self._lock:
                self._stats["retries"] += 1
            delay = wait if wait is not None else backoff
            backoff = min(self.max_backoff, backoff * 2)
            if self._closed.wait(min(delay, self.max_backoff)):
                with self._lock:
                    self._stats["dropped"] += len(batch)
                return


def _retry_after(value):
    """Seconds from a Retry-After header (delta-seconds; an HTTP date is read as 1 s)."""
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 1.0


class _StopCheck:
    """Asks the server, every ``check_every`` steps, whether the run has a problem of a severity in
    ``stop_on``; the check waits at most the client's timeout, and after a failed one the next comes
    ``check_every`` steps later again, so a server that is away costs at most one timeout per check."""

    def __init__(self, client, model, run, stop_on, check_every):
        self.client, self.model, self.run = client, model, run
        self.stop_on = tuple(stop_on or ())
        self.check_every = max(1, int(check_every))
        self.should_stop = False
        self.stop_reason = None
        self._since = 0

    def after_step(self):
        if not self.stop_on or self.should_stop:
            return
        self._since += 1
        if self._since < self.check_every:
            return
        self._since = 0
        self.client.flush(self.client.timeout)
        answer = self.client.run(self.model, self.run)
        if not answer:
            return
        for p in answer.get("problems", []):
            if p.get("severity") in self.stop_on or p.get("kind") in self.stop_on:
                self.should_stop = True
                self.stop_reason = "modelwatch: %s problem %s at step %s: %s" % (
                    p.get("severity"), p.get("kind"), p.get("step"), p.get("message"))
                log.warning("stopping training: %s", self.stop_reason)
                return


class TorchWatcher:
    """Adds to each step of a PyTorch training loop: the loss and any metrics given, the learning rate,
    the overall and per-layer gradient norms (``grad_norm``, ``grad_norm/<layer>``), the per-layer
    weight-update ratios |ΔW|/|W| (``update_ratio/<layer>``), the fraction of dead ReLU units
    (``dead_fraction/<layer>``: zero for the whole batch) and of saturated sigmoid/tanh outputs
    (``saturation/<layer>``), the step time and, on a GPU, the memory used and its limit.

    Call ``step(step, loss, **metrics)`` after ``optimizer.step()`` (the gradients must still be there).
    With ``stop_on=("critical",)`` the watcher asks the server every ``check_every`` steps and sets
    ``should_stop`` and ``stop_reason`` when the run has a critical problem.
    """

    def __init__(self, client, model_name, run, model, optimizer=None, stop_on=(), check_every=20,
                 update_ratios=True, activations=True, step_time=True):
        import torch  # only when used
        self._torch = torch
        self.client, self.model_name, self.run = client, model_name, str(run)
        self.model, self.optimizer = model, optimizer
        self.update_ratios = update_ratios
        self.step_time = step_time
        self._check = _StopCheck(client, model_name, run, stop_on, check_every)
        self._layers = [(name, m) for name, m in model.named_modules()
                        if name and getattr(m, "weight", None) is not None
                        and isinstance(m.weight, torch.nn.Parameter)]
        self._previous = {}
        self._activation = {}
        self._hooks = []
        self._last_time = None
        if activations:
            for name, m in model.named_modules():
                if isinstance(m, (torch.nn.ReLU, torch.nn.Sigmoid, torch.nn.Tanh)):
                    self._hooks.append(m.register_forward_hook(self._hook(name, m)))

    @property
    def should_stop(self):
        return self._check.should_stop

    @property
    def stop_reason(self):
        return self._check.stop_reason

    def _hook(self, name, module):
        torch = self._torch

        def hook(_module, _inputs, out):
            if not module.training or not isinstance(out, torch.Tensor) or out.dim() == 0:
                return
            with torch.no_grad():
                flat = out.detach().reshape(out.shape[0], -1) if out.dim() > 1 else out.detach().reshape(1, -1)
                if isinstance(module, torch.nn.ReLU):
                    self._activation["dead_fraction/" + name] = float((flat <= 0).all(dim=0).float().mean())
                elif isinstance(module, torch.nn.Sigmoid):
                    self._activation["saturation/" + name] = float(((flat < 0.01) | (flat > 0.99)).float().mean())
                else:
                    self._activation["saturation/" + name] = float((flat.abs() > 0.99).float().mean())
        return hook

    def metrics(self, loss=None, **extra):
        """The metrics of the current step (what ``step`` sends)."""
        torch = self._torch
        m = {}
        if loss is not None:
            m["loss"] = float(loss)
        total = 0.0
        with torch.no_grad():
            for name, layer in self._layers:
                g = layer.weight.grad
                if g is not None:
                    n = float(g.detach().norm())
                    m["grad_norm/" + name] = n
                    total += n * n if math.isfinite(n) else float("inf")
                if self.update_ratios:
                    w = layer.weight.detach()
                    before = self._previous.get(name)
                    if before is not None:
                        denom = float(before.norm())
                        m["update_ratio/" + name] = float((w - before).norm()) / denom if denom > 0 else float("nan")
                    self._previous[name] = w.clone()
        if any(k.startswith("grad_norm/") for k in m):
            m["grad_norm"] = math.sqrt(total) if math.isfinite(total) else float("inf")
        if self.optimizer is not None and self.optimizer.param_groups:
            m["lr"] = float(self.optimizer.param_groups[0].get("lr", float("nan")))
        now = time.monotonic()
        if self._last_time is not None and self.step_time:
            m["step_time_s"] = now - self._last_time
        self._last_time = now
        if torch.cuda.is_available():
            device = torch.cuda.current_device()
            m["gpu_memory_bytes"] = float(torch.cuda.memory_allocated(device))
            m["gpu_memory_limit_bytes"] = float(torch.cuda.get_device_properties(device).total_memory)
        m.update(self._activation)
        m.update({k: _number(v) for k, v in extra.items()})
        return m

    def step(self, step, loss=None, epoch=None, **metrics):
        """Sends this step's metrics; never raises for a server problem. Returns ``not should_stop``."""
        self._last_step = step
        try:
            self.client.log_step(self.model_name, self.run, step, self.metrics(loss, **metrics), epoch=epoch)
            self._check.after_step()
        except Exception as e:  # monitoring must not break training
            log.warning("modelwatch: could not record step %s: %r", step, e)
        return not self.should_stop

    def finish(self, failed=False):
        """Marks the run finished (or failed) and removes the hooks."""
        self.client.log_step(self.model_name, self.run, 0 if self._last_step is None else self._last_step,
                             {"run_failed" if failed else "run_finished": 1})
        for h in self._hooks:
            h.remove()

    _last_step = None


def keras_callback(client, model_name, run, stop_on=(), check_every=20):
    """A ``keras.callbacks.Callback`` that logs each batch's and epoch's logs as training steps and,
    with ``stop_on``, sets ``model.stop_training`` when the server reports such a problem. Keras is
    imported only here."""
    try:
        from tensorflow import keras  # noqa: F401
    except ImportError:
        import keras  # noqa: F401

    class ModelWatchCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.check = _StopCheck(client, model_name, run, stop_on, check_every)
            self.global_step = 0
            self.epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            metrics = dict(logs or {})
            try:
                lr = self.model.optimizer.learning_rate
                metrics["lr"] = float(lr.numpy() if hasattr(lr, "numpy") else lr)
            except Exception:
                pass
            client.log_step(model_name, run, self.global_step, metrics, epoch=self.epoch)
            self.global_step += 1
            self.check.after_step()
            if self.check.should_stop:
                print(self.check.stop_reason)
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            val = {k: v for k, v in (logs or {}).items() if k.startswith("val_")}
            if val:
                client.log_step(model_name, run, max(0, self.global_step - 1), val, epoch=epoch)

    return ModelWatchCallback()


def lightning_callback(client, model_name, run, stop_on=(), check_every=20):
    """A PyTorch Lightning ``Callback`` that logs each training batch's loss and ``trainer.callback_metrics``
    and each validation epoch's metrics and, with ``stop_on``, sets ``trainer.should_stop``. Lightning is
    imported only here."""
    try:
        from lightning.pytorch import Callback
    except ImportError:
        from pytorch_lightning import Callback

    def scalars(d):
        out = {}
        for k, v in (d or {}).items():
            try:
                out[str(k)] = float(v.item() if hasattr(v, "item") else v)
            except (TypeError, ValueError):
                pass
        return out

    class ModelWatchCallback(Callback):
        def __init__(self):
            super().__init__()
            self.check = _StopCheck(client, model_name, run, stop_on, check_every)

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            metrics = scalars(trainer.callback_metrics)
            if isinstance(outputs, dict) and "loss" in outputs:
                metrics["loss"] = float(outputs["loss"].item())
            elif outputs is not None and hasattr(outputs, "item"):
                metrics["loss"] = float(outputs.item())
            if trainer.optimizers:
                metrics["lr"] = float(trainer.optimizers[0].param_groups[0]["lr"])
            client.log_step(model_name, run, trainer.global_step, metrics, epoch=trainer.current_epoch)
            self.check.after_step()
            if self.check.should_stop:
                print(self.check.stop_reason)
                trainer.should_stop = True

        def on_validation_epoch_end(self, trainer, pl_module):
            val = {k: v for k, v in scalars(trainer.callback_metrics).items() if k.startswith("val")}
            if val and not trainer.sanity_checking:
                client.log_step(model_name, run, trainer.global_step, val, epoch=trainer.current_epoch)

    return ModelWatchCallback()
