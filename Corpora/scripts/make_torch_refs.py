#!/usr/bin/env python3
"""Known answers from PyTorch for the StudioTensor / StudioNN / StudioOptimizers tests.

Writes Corpora/reference/torch/*.json with the inputs, outputs and gradients of each case and the
torch version. Inputs are seeded here and stored, so the Swift side needs no random generator match.

    pip install torch==2.13.0+cpu && python3 Corpora/scripts/make_torch_refs.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "torch")


def flat(t):
    return [float(x) for x in t.detach().double().reshape(-1)]


def save(name, payload):
    payload = {"generator": "Corpora/scripts/make_torch_refs.py", "torch": torch.__version__, **payload}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))
    print("wrote", name)


def conv_cases():
    cases = []
    for stride, padding, kernel in [(1, 1, 3), (2, 1, 3), (1, 0, 1), (2, 0, 4)]:
        x = torch.randn(2, 3, 7, 6, requires_grad=True)
        w = (0.3 * torch.randn(4, 3, kernel, kernel)).requires_grad_()
        b = torch.randn(4, requires_grad=True)
        y = F.conv2d(x, w, b, stride=stride, padding=padding)
        c = torch.randn_like(y)
        gx, gw, gb = torch.autograd.grad((y * c).sum(), [x, w, b])
        cases.append({"stride": stride, "padding": padding, "x": flat(x), "xShape": list(x.shape), "w": flat(w),
                      "wShape": list(w.shape), "b": flat(b), "y": flat(y), "yShape": list(y.shape), "c": flat(c),
                      "gx": flat(gx), "gw": flat(gw), "gb": flat(gb)})
    save("conv2d.json", {"cases": cases})


def batchnorm_case():
    bn = torch.nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.5, 0.5, -1.0]))
        bn.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
    x = (2 * torch.randn(4, 3, 5, 5) + 1).requires_grad_()
    y = bn(x)
    c = torch.randn_like(y)
    gx, gw, gb = torch.autograd.grad((y * c).sum(), [x, bn.weight, bn.bias])
    bn.eval()
    y_eval = bn(x)
    save("batchnorm2d.json", {"x": flat(x), "xShape": list(x.shape), "weight": flat(bn.weight), "bias": flat(bn.bias),
                              "y": flat(y), "c": flat(c), "gx": flat(gx), "gw": flat(gw), "gb": flat(gb),
                              "runningMean": flat(bn.running_mean), "runningVar": flat(bn.running_var),
                              "yEval": flat(y_eval)})


def gradient_penalty_case():
    # A tiny critic; the penalty's gradient with respect to its parameters needs double backward.
    w1 = (0.4 * torch.randn(4, 2, 3, 3)).requires_grad_()
    b1 = (0.1 * torch.randn(4)).requires_grad_()
    w2 = (0.3 * torch.randn(5, 4, 3, 3)).requires_grad_()
    b2 = (0.1 * torch.randn(5)).requires_grad_()
    lw = (0.5 * torch.randn(1, 5)).requires_grad_()
    lb = (0.1 * torch.randn(1)).requires_grad_()
    real = torch.randn(3, 2, 8, 8)
    fake = torch.randn(3, 2, 8, 8)
    alpha = torch.rand(3, 1, 1, 1)

    def critic(x):
        h = F.leaky_relu(F.conv2d(x, w1, b1, padding=1), 0.2)
        h = F.relu(F.conv2d(h, w2, b2, stride=2, padding=1))
        h = h.sum(dim=(2, 3))
        return F.linear(h, lw, lb)

    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_()
    out = critic(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    penalty = ((grad.reshape(3, -1).norm(2, dim=1) - 1) ** 2).mean()
    params = [w1, b1, w2, b2, lw, lb]
    grads = torch.autograd.grad(penalty, params, allow_unused=True)
    # The output bias does not reach the input gradient: its penalty gradient is zero.
    grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
    save("gradient_penalty.json", {
        "w1": flat(w1), "b1": flat(b1), "w2": flat(w2), "b2": flat(b2), "lw": flat(lw), "lb": flat(lb),
        "real": flat(real), "fake": flat(fake), "alpha": flat(alpha), "penalty": float(penalty),
        "inputGradient": flat(grad), "grads": [flat(g) for g in grads]})


def adam_case():
    a = torch.randn(8, 5)
    target = torch.randn(8)
    runs = []
    for betas in [(0.9, 0.999), (0.0, 0.999)]:
        w = torch.randn(5, requires_grad=True)
        start = flat(w)
        opt = torch.optim.Adam([w], lr=1e-2, betas=betas)
        for _ in range(1000):
            opt.zero_grad()
            loss = ((a @ w - target) ** 2).mean()
            loss.backward()
            opt.step()
        runs.append({"beta1": betas[0], "beta2": betas[1], "start": start, "final": flat(w)})
    save("adam_1000_steps.json", {"a": flat(a), "target": flat(target), "learningRate": 1e-2, "runs": runs})


def cross_entropy_case():
    logits = (3 * torch.randn(5, 4)).requires_grad_()
    labels = [3, 0, 1, 1, 2]
    loss = F.cross_entropy(logits, torch.tensor(labels))
    (g,) = torch.autograd.grad(loss, logits)
    save("cross_entropy.json", {"logits": flat(logits), "labels": labels, "loss": float(loss), "grad": flat(g),
                                "logSoftmax": flat(F.log_softmax(logits, dim=1))})


def ops_case():
    """Single operations: forward and input gradient of sum(op(x) * c), one case per op."""
    cases = []

    def add(name, x, fn, **params):
        x = x.clone().requires_grad_()
        y = fn(x)
        c = torch.randn_like(y)
        (g,) = torch.autograd.grad((y * c).sum(), x)
        cases.append({"op": name, "x": flat(x), "xShape": list(x.shape), "y": flat(y), "yShape": list(y.shape),
                      "c": flat(c), "gx": flat(g), **params})

    image = torch.randn(2, 3, 4, 6)
    add("upsampleNearest2x", image, lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
    add("avgPool2x2", image, lambda x: F.avg_pool2d(x, 2))
    add("maxPool2x2", image, lambda x: F.max_pool2d(x, 2))
    add("globalSumPool", image, lambda x: x.sum(dim=(2, 3)))
    add("tanh", image, torch.tanh)
    add("sigmoid", image, torch.sigmoid)
    add("softplus", image, F.softplus)
    add("leakyRelu", image, lambda x: F.leaky_relu(x, 0.2))
    add("relu", image, F.relu)
    add("exp", image, torch.exp)
    table = torch.randn(5, 4)
    add("embedding", table, lambda w: F.embedding(torch.tensor([4, 0, 4, 2]), w), indices=[4, 0, 4, 2])
    add("sliceAxis1", image, lambda x: x[:, 1:3])
    weight = torch.randn(3, 6)
    add("linear", torch.randn(5, 6), lambda x: F.linear(x, weight, torch.ones(3)), weight=flat(weight))
    # Spectral normalisation with fixed u, v: W / (u^T W v).
    w = torch.randn(4, 6)
    u = F.normalize(torch.randn(4), dim=0)
    v = F.normalize(torch.randn(6), dim=0)
    add("spectralNormFixedVectors", w, lambda m: m / torch.dot(u, m @ v), u=flat(u), v=flat(v))
    save("ops.json", {"cases": cases})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    conv_cases()
    batchnorm_case()
    gradient_penalty_case()
    adam_case()
    cross_entropy_case()
    ops_case()
