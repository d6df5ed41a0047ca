"""PyTorch CPU anchor for `Benchmarks/run classifier`: training throughput of the compact residual
classifier that ProbeGAN probes (StudioModels.ResidualClassifier, --widths 16,32,64 or the audio
default 24,48,96, 1x64x64 log-mel input, 3 classes), one Adam step per batch of 64, regular training and PGD-3 adversarial training.

Prints key=value lines: clips_per_second, robust_clips_per_second.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.sc = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else None

    def forward(self, x):
        h = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.avg_pool2d(F.relu(h + (self.sc(x) if self.sc is not None else x)), 2)


class Residual(nn.Module):
    def __init__(self, widths=(16, 32, 64), classes=3):
        super().__init__()
        self.stem = nn.Conv2d(1, widths[0], 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(widths[0])
        chans = [widths[0]] + list(widths)
        self.blocks = nn.Sequential(*[Block(chans[i], chans[i + 1]) for i in range(len(widths))])
        self.fc = nn.Linear(widths[-1], classes)

    def forward(self, x):
        h = self.blocks(F.relu(self.bn(self.stem(x))))
        return self.fc(h.mean(dim=(2, 3)))


def pgd_l2(model, x, y, eps, steps):
    delta = torch.zeros_like(x).uniform_(-eps, eps)
    step = 2.5 * eps / steps
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y)
        (g,) = torch.autograd.grad(loss, delta)
        g = g / (g.flatten(1).norm(dim=1).view(-1, 1, 1, 1) + 1e-12)
        delta = (delta.detach() + step * g)
        norms = delta.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        delta = delta * torch.clamp(eps / norms, max=1.0)
        delta = (x + delta).clamp(-1, 1) - x
    return (x + delta).detach()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--widths", default="16,32,64")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Residual(widths=tuple(int(w) for w in args.widths.split(",")))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    x = torch.rand(args.batch, 1, 64, 64) * 2 - 1
    y = torch.randint(0, 3, (args.batch,))
    for robust in (False, True):
        times = []
        for step in range(args.steps + 2):
            start = time.perf_counter()
            inputs = x
            if robust:
                model.eval()
                inputs = pgd_l2(model, x, y, 1.5, 3)
            model.train()
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), y)
            loss.backward()
            optimizer.step()
            if step >= 2:
                times.append(time.perf_counter() - start)
        times.sort()
        median = times[len(times) // 2]
        key = "robust_clips_per_second" if robust else "clips_per_second"
        print(f"{key}={args.batch / median:.1f}")


if __name__ == "__main__":
    main()
