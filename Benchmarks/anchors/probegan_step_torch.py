#!/usr/bin/env python3
"""One ProbeGAN training iteration in PyTorch (CPU): the anchor of `Benchmarks/run train`, and the
module that `probegan_presets_torch.py` and `explore_torch.py` build on. Written for Spectrogram
Studio; it mirrors the studio's own Swift models and training step layer for layer, so that both
sides compute the same work:

- Generator (Sources/StudioModels/Generator.swift): cond = [z, embed(y)] (latent 128, class
  embedding 128); fc: z -> 4x4 x widths[0]; per block bn1 (conditional BN: BN without affine, then
  * (1 + gain(cond)) + bias(cond)), ReLU, nearest 2x upsampling, conv1 3x3, bn2, ReLU, conv2 3x3,
  plus a 1x1 shortcut on the upsampled input; then BN (affine), ReLU, 3x3 conv, tanh.
- Discriminator (Discriminator.swift): residual down-blocks with spectrally normalised 3x3 convs
  (the first block: no pre-activation, pool then 1x1 shortcut; later ones: ReLU first, shortcut then
  pool), ReLU, global sum pooling to phi; a projection head D_c = proj_lin(phi) + <proj_emb(y), phi>
  (both spectrally normalised) and a plain linear head D_u = w_lin(phi).
- Classifier (ConvolutionalClassifier.swift, frozen, evaluation mode): conv3x3-BN-ReLU stages of
  32, 64, 128 channels with 2x2 max pooling between them, global average pooling, linear.
- Step (Sources/ProbeGAN/ProbeGANStep.swift, ProbeGANLosses.swift): a D step (G forward without
  gradients; D on [real; fake]; hinge on D_c over reals and seen-class fakes, WGAN critic on D_u
  over all fakes, gradient penalty (weight 10) on D_u at random interpolates by double backward;
  Adam) and a G step (D frozen; -E[D_c] over seen-class fakes - E[D_u] + cross-entropy of the
  classifier on the fakes; Adam). Adam: lr 1e-4 (G), 4e-4 (D), betas (0, 0.999), eps 1e-8.
- Sizes (Sources/StudioBenchmarks/TrainBenchmark.swift): 1x64x64 log-mel images, 3 classes with
  class 2 unseen (fake labels uniform over all three, real labels in {0, 1}), channel base ch
  (64 by default; 16 and 32 are the quick and standard presets), G widths 4ch, 4ch, 2ch, ch, ch,
  D widths ch, 2ch, 4ch, 4ch all downsampling, batch 32, one D step per G step.
Spectral normalisation is torch's (one power iteration per training forward), as the Swift side
implements it. The random numbers differ from the Swift side; shapes, layers and arithmetic do not.

Prints a JSON line with the parameter counts, a line per timed iteration, and a last JSON line
whose ["all"]["median"] is the median seconds per iteration (["clean"]: the iterations during which
other processes used less than --max-foreign cores). --flops counts the FLOPs of one iteration.
"""
import argparse
import json
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import spectral_norm

CLASSES = 3
SEEN = 2  # classes 0 and 1 have real data; class 2 is unseen
LATENT = 128
EMBEDDING = 128
RESOLUTION = 64


def generator_widths(ch):
    return [4 * ch, 4 * ch, 2 * ch, ch, ch]


def discriminator_widths(ch):
    return [ch, 2 * ch, 4 * ch, 4 * ch]


class ConditionalBatchNorm(nn.Module):
    def __init__(self, channels, condition_features):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Linear(condition_features, channels)
        self.bias = nn.Linear(condition_features, channels)

    def forward(self, x, condition):
        scale = (self.gain(condition) + 1)[:, :, None, None]
        return self.bn(x) * scale + self.bias(condition)[:, :, None, None]


class GeneratorBlock(nn.Module):
    def __init__(self, cin, cout, condition_features):
        super().__init__()
        self.bn1 = ConditionalBatchNorm(cin, condition_features)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn2 = ConditionalBatchNorm(cout, condition_features)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.sc = nn.Conv2d(cin, cout, 1)

    def forward(self, x, condition):
        h = F.interpolate(F.relu(self.bn1(x, condition)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h), condition)))
        return h + self.sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class Generator(nn.Module):
    def __init__(self, widths, out_channels=1, classes=CLASSES):
        super().__init__()
        self.base = widths[0]
        self.embed = nn.Embedding(classes, EMBEDDING)
        self.fc = nn.Linear(LATENT, 16 * widths[0])
        self.blocks = nn.ModuleList(
            GeneratorBlock(widths[i], widths[i + 1], LATENT + EMBEDDING) for i in range(len(widths) - 1))
        self.bn = nn.BatchNorm2d(widths[-1])
        self.out = nn.Conv2d(widths[-1], out_channels, 3, padding=1)

    def forward(self, z, labels):
        condition = torch.cat([z, self.embed(labels)], 1)
        h = self.fc(z).view(z.shape[0], self.base, 4, 4)
        for block in self.blocks:
            h = block(h, condition)
        return torch.tanh(self.out(F.relu(self.bn(h))))


class DiscriminatorBlock(nn.Module):
    def __init__(self, cin, cout, downsamples, preactivates):
        super().__init__()
        self.downsamples, self.preactivates = downsamples, preactivates
        self.conv1 = spectral_norm(nn.Conv2d(cin, cout, 3, padding=1))
        self.conv2 = spectral_norm(nn.Conv2d(cout, cout, 3, padding=1))
        self.sc = spectral_norm(nn.Conv2d(cin, cout, 1)) if cin != cout or downsamples else None

    def pool(self, x):
        return F.avg_pool2d(x, 2) if self.downsamples else x

    def shortcut(self, x):
        return x if self.sc is None else self.sc(x)

    def forward(self, x):
        h = self.pool(self.conv2(F.relu(self.conv1(F.relu(x) if self.preactivates else x))))
        s = self.pool(self.shortcut(x)) if self.preactivates else self.shortcut(self.pool(x))
        return h + s


class Discriminator(nn.Module):
    def __init__(self, in_channels, widths, downsamples, classes=CLASSES):
        super().__init__()
        channels = [in_channels] + list(widths)
        self.blocks = nn.ModuleList(
            DiscriminatorBlock(channels[i], channels[i + 1], downsamples[i], i > 0) for i in range(len(widths)))
        self.proj_lin = spectral_norm(nn.Linear(widths[-1], 1))
        self.proj_emb = spectral_norm(nn.Embedding(classes, widths[-1]))
        self.w_lin = nn.Linear(widths[-1], 1)

    def features(self, x):
        for block in self.blocks:
            x = block(x)
        return F.relu(x).sum((2, 3))

    def heads(self, phi, labels):
        conditional = self.proj_lin(phi).squeeze(1) + (self.proj_emb(labels) * phi).sum(1)
        return conditional, self.unconditional(phi)

    def unconditional(self, phi):
        return self.w_lin(phi).squeeze(1)


class ConvolutionalClassifier(nn.Module):
    def __init__(self, in_channels, classes=CLASSES, widths=(32, 64, 128)):
        super().__init__()
        layers, cin = [], in_channels
        for index, width in enumerate(widths):
            layers += [nn.Conv2d(cin, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
            if index < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
            cin = width
        self.trunk = nn.Sequential(*layers)
        self.fc = nn.Linear(widths[-1], classes)

    def forward(self, x):
        return self.fc(self.trunk(x).mean((2, 3)))


def masked_mean(values, mask):
    return (values * mask).sum() / mask.sum().clamp(min=1)


def parameter_count(module):
    # Spectrally normalised layers hold their weight once (parametrizations.*.original); u and v
    # are buffers, as on the Swift side.
    return sum(p.numel() for p in module.parameters())


class ProbeGANIteration:
    """The models, optimisers and a fixed real batch; `run()` is one iteration."""

    def __init__(self, channels=64, batch=32, d_steps=1, seed=0):
        torch.manual_seed(seed)
        self.batch, self.d_steps = batch, d_steps
        self.generator = Generator(generator_widths(channels))
        self.discriminator = Discriminator(1, discriminator_widths(channels), [True] * 4)
        self.classifier = ConvolutionalClassifier(1).eval().requires_grad_(False)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=1e-4, betas=(0.0, 0.999), eps=1e-8)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), lr=4e-4, betas=(0.0, 0.999), eps=1e-8)
        self.real = torch.rand(batch, 1, RESOLUTION, RESOLUTION) * 2 - 1
        self.real_labels = torch.randint(0, SEEN, (batch,))

    def fakes(self):
        return torch.randn(self.batch, LATENT), torch.randint(0, CLASSES, (self.batch,))

    def discriminator_step(self):
        D, n = self.discriminator, self.batch
        D.requires_grad_(True)
        z, fake_labels = self.fakes()
        with torch.no_grad():
            fake = self.generator(z, fake_labels)
        conditional, unconditional = D.heads(
            D.features(torch.cat([self.real, fake])), torch.cat([self.real_labels, fake_labels]))
        seen = (fake_labels < SEEN).float()
        hinge = F.relu(1 - conditional[:n]).mean() + masked_mean(F.relu(1 + conditional[n:]), seen)
        wasserstein = unconditional[n:].mean() - unconditional[:n].mean()
        epsilon = torch.rand(n, 1, 1, 1)
        mixed = (epsilon * self.real + (1 - epsilon) * fake).requires_grad_(True)
        critic = D.unconditional(D.features(mixed))
        (gradient,) = torch.autograd.grad(critic.sum(), mixed, create_graph=True)
        norms = (gradient.flatten(1).square().sum(1) + 1e-12).sqrt()
        penalty = (norms - 1).square().mean()
        total = hinge + wasserstein + 10 * penalty
        self.d_optimizer.zero_grad(set_to_none=True)
        total.backward()
        self.d_optimizer.step()
        return total.item()

    def generator_step(self):
        D = self.discriminator
        D.requires_grad_(False)
        z, labels = self.fakes()
        images = self.generator(z, labels)
        conditional, unconditional = D.heads(D.features(images), labels)
        seen = (labels < SEEN).float()
        total = (-masked_mean(conditional, seen) - unconditional.mean()
                 + F.cross_entropy(self.classifier(images), labels))
        self.g_optimizer.zero_grad(set_to_none=True)
        total.backward()
        self.g_optimizer.step()
        return total.item()

    def run(self):
        for _ in range(self.d_steps):
            d_loss = self.discriminator_step()
        return d_loss, self.generator_step()


def busy_seconds():
    """CPU seconds the whole machine has spent busy (from /proc/stat)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def count_flops(iteration):
    """FLOPs of one iteration by operator, with torch's FLOP formulas (matmuls, convolutions and
    their gradients: the work that decides the time). A dispatch mode of its own rather than
    FlopCounterMode, whose per-module hooks fail inside autograd.grad(create_graph=True)."""
    from collections import Counter
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.flop_counter import flop_registry

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.by_operator = Counter()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            formula = flop_registry.get(func._overloadpacket)
            if formula is not None:
                self.by_operator[str(func._overloadpacket)] += int(formula(*args, **kwargs, out_val=out))
            return out

    with Count() as count:
        iteration.run()
    return dict(count.by_operator.most_common())


def summary(times):
    if not times:
        return None
    times = sorted(times)
    return {"n": len(times), "min": times[0], "median": statistics.median(times), "max": times[-1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=["mel"], default="mel", help="the 1x64x64 log-mel layout")
    parser.add_argument("--channels", type=int, default=64, help="channel base ch (quick 16, standard 32)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--d-steps", type=int, default=1, help="discriminator steps per generator step")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1, help="untimed iterations first")
    parser.add_argument("--iters", type=int, default=3, help="timed iterations wanted with a quiet machine")
    parser.add_argument("--max-iters", type=int, default=10, help="stop after this many timed iterations")
    parser.add_argument("--max-foreign", type=float, default=0.15,
                        help="cores other processes may use during an iteration that counts as clean")
    parser.add_argument("--flops", action="store_true", help="count the FLOPs of one iteration instead of timing")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    iteration = ProbeGANIteration(args.channels, args.batch, args.d_steps)
    info = {"config": args.config, "channels": args.channels, "batch": args.batch, "d_steps": args.d_steps,
            "threads": torch.get_num_threads(), "torch": torch.__version__,
            "params_G": parameter_count(iteration.generator), "params_D": parameter_count(iteration.discriminator),
            "params_C": parameter_count(iteration.classifier)}
    print(json.dumps(info), flush=True)

    if args.flops:
        iteration.run()  # the first iteration allocates the optimisers' state
        by_operator = count_flops(iteration)
        total = sum(by_operator.values())
        print(json.dumps({"flops": total, "gflops": round(total / 1e9, 1), "by_operator": by_operator}), flush=True)
        return

    for _ in range(args.warmup):
        iteration.run()
    clean, every = [], []
    while len(clean) < args.iters and len(every) < args.max_iters:
        machine, own = busy_seconds(), own_seconds()
        start = time.perf_counter()
        iteration.run()
        elapsed = time.perf_counter() - start
        foreign = max(0.0, (busy_seconds() - machine - (own_seconds() - own)) / elapsed)
        every.append(elapsed)
        if foreign < args.max_foreign:
            clean.append(elapsed)
        print(f"iteration {len(every)}: {elapsed * 1000:.1f} ms, other processes {foreign:.2f} cores", flush=True)
    print(json.dumps({"config": args.config, "channels": args.channels, "batch": args.batch,
                      "threads": args.threads, "clean": summary(clean), "all": summary(every)}), flush=True)


if __name__ == "__main__":
    main()
