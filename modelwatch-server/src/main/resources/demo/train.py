#!/usr/bin/python3
"""Trains the demo's model and writes every file of this folder.

A multilayer perceptron (10 -> 32 -> 16 -> 1) on scikit-learn's copy of the Wisconsin Diagnostic
Breast Cancer data set (569 rows; its ten "mean" features), with PyTorch; exports it as ONNX with
its input scaling inside, and records its real training curves. Run with Debian's python3 (torch,
scikit-learn):  /usr/bin/python3 train.py   (seeded: the same files each run on the same machine).

Files written:
  data.csv             every row: the ten features, label (1 = malignant), split (train/val/test)
  model-v1.onnx        the model in production
  model-v2.onnx        the same network retrained on a batch where most malignant labels were lost
                       (the demo's bad new version)
  training-v1.json     the real curves of v1's training run, per step and per epoch
  training-diverge.json the real curves of a second run with a constant learning rate 300x too high
and, for the tests, ../../../test/resources/fixtures/demo/scores.csv: PyTorch's scores of both
versions for every test row, which ONNX Runtime's must match.
"""
import json
import os

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
            "concave_points", "symmetry", "fractal_dimension"]
SEED = 7


def data():
    ds = load_breast_cancer()
    x = ds.data[:, :10].astype(np.float32)  # the ten "mean ..." columns
    y = (ds.target == 0).astype(np.float32)  # sklearn: 0 = malignant; here 1 = malignant
    idx = np.arange(len(y))
    tr, rest = train_test_split(idx, test_size=0.3, random_state=SEED, stratify=y)
    va, te = train_test_split(rest, test_size=0.5, random_state=SEED, stratify=y[rest])
    split = np.empty(len(y), dtype=object)
    split[tr], split[va], split[te] = "train", "val", "test"
    return x, y, split


class Net(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        self.fc1 = torch.nn.Linear(10, 32)
        self.fc2 = torch.nn.Linear(32, 16)
        self.fc3 = torch.nn.Linear(16, 1)

    def logits(self, x):
        h = (x - self.mean) / self.std
        h = torch.relu(self.fc1(h))
        h = torch.relu(self.fc2(h))
        return self.fc3(h)

    def forward(self, x):
        return torch.sigmoid(self.logits(x))


def train(x, y, split, lr, epochs, run, y_train=None, schedule=True):
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED)
    xt = torch.tensor(x[split == "train"])
    yt = torch.tensor((y if y_train is None else y_train)[split == "train"]).unsqueeze(1)
    xv = torch.tensor(x[split == "val"])
    yv = torch.tensor(y[split == "val"]).unsqueeze(1)
    net = Net(xt.mean(0).numpy(), xt.std(0).numpy())
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps_per_epoch = (len(xt) + 31) // 32
    sched = (torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
             if schedule else torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0))
    bce = torch.nn.BCEWithLogitsLoss()
    steps, epochs_out, step = [], [], 0
    for epoch in range(epochs):
        perm = torch.randperm(len(xt), generator=g)
        for b in range(0, len(xt), 32):
            i = perm[b:b + 32]
            opt.zero_grad()
            loss = bce(net.logits(xt[i]), yt[i])
            loss.backward()
            norms = {f"grad_norm_{n}": float(m.weight.grad.norm()) for n, m in
                     (("fc1", net.fc1), ("fc2", net.fc2), ("fc3", net.fc3))}
            total = float(torch.sqrt(sum(m.weight.grad.norm() ** 2 + m.bias.grad.norm() ** 2
                                         for m in (net.fc1, net.fc2, net.fc3))))
            lr_now = sched.get_last_lr()[0]
            opt.step()
            sched.step()
            step += 1
            steps.append({"step": step, "epoch": epoch + 1, "loss": float(loss), "grad_norm": total,
                          "lr": lr_now, **norms})
        with torch.no_grad():
            lv = net.logits(xv)
            val_loss = float(bce(lv, yv))
            val_acc = float(((lv >= 0).float() == yv).float().mean())
        epochs_out.append({"step": step, "epoch": epoch + 1, "val_loss": val_loss, "val_accuracy": val_acc})
    return net, {"run": run, "model": "tumor", "optimizer": "Adam" + (", one-cycle schedule" if schedule else ""),
                 "max_lr": lr,
                 "batch_size": 32, "epochs": epochs, "steps": steps, "validation": epochs_out}


def export(net, path):
    net.eval()
    torch.onnx.export(net, torch.zeros(1, 10), path, input_names=["features"], output_names=["malignant"],
                      dynamic_axes={"features": {0: "n"}, "malignant": {0: "n"}}, opset_version=13)


def accuracy(net, x, y, split, part):
    with torch.no_grad():
        p = net(torch.tensor(x[split == part])).numpy()[:, 0]
    return float(((p >= 0.5) == (y[split == part] == 1)).mean())


def write_scores(x, split, v1, v2):
    out = os.path.join(HERE, "..", "..", "..", "test", "resources", "fixtures", "demo")
    os.makedirs(out, exist_ok=True)
    rows = np.nonzero(split == "test")[0]
    with torch.no_grad():
        s1 = v1(torch.tensor(x[rows])).numpy()[:, 0]
        s2 = v2(torch.tensor(x[rows])).numpy()[:, 0]
    with open(os.path.join(out, "scores.csv"), "w") as f:
        f.write("row,v1,v2\n")
        for r, a, b in zip(rows, s1, s2):
            f.write(f"{r},{float(a)!r},{float(b)!r}\n")


def main():
    x, y, split = data()
    with open(os.path.join(HERE, "data.csv"), "w") as f:
        f.write(",".join(FEATURES) + ",label,split\n")
        for row, label, s in zip(x, y, split):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(label)},{s}\n")
    v1, curves = train(x, y, split, lr=0.01, epochs=60, run="tumor-v1-training")
    export(v1, os.path.join(HERE, "model-v1.onnx"))
    curves["test_accuracy"] = accuracy(v1, x, y, split, "test")
    with open(os.path.join(HERE, "training-v1.json"), "w") as f:
        json.dump(curves, f, indent=0)
    # v2: retrained on labels where 70% of the malignant cases were recorded as benign
    rng = np.random.default_rng(SEED)
    y_bad = y.copy()
    y_bad[(y == 1) & (rng.random(len(y)) < 0.7)] = 0
    v2, _ = train(x, y, split, lr=0.01, epochs=60, run="tumor-v2-training", y_train=y_bad)
    export(v2, os.path.join(HERE, "model-v2.onnx"))
    write_scores(x, split, v1, v2)
    _, diverge = train(x, y, split, lr=3.0, epochs=5, run="tumor-v3-training", schedule=False)
    with open(os.path.join(HERE, "training-diverge.json"), "w") as f:
        json.dump(diverge, f, indent=0)
    print("v1 test accuracy", curves["test_accuracy"], "v2 test accuracy", accuracy(v2, x, y, split, "test"))
    print("diverging run: last losses", [round(s["loss"], 3) for s in diverge["steps"][-5:]])


if __name__ == "__main__":
    main()
