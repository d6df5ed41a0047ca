"""PyTorch CPU anchor for `Benchmarks/run explore`: E-GBAS's two kernels on the same generator.

The generator is the studio's own as probegan_step_torch.py builds it, at the quick preset's
widths (4ch, 4ch, 2ch, ch, ch with ch 16, 1x64x64), in evaluation mode. Layer
`block1.relu2` is the ReLU after blocks[0].bn2; a forward hook on that CBN multiplies its output by
the mask (relu(a * m) = relu(a) * m for m >= 0, the same as masking the ReLU output).
- one BerOpt step: 8 relaxed-Bernoulli masks (temperature 0.1) on theta = sigmoid(alpha), the
  masked forward, RMS distance to G(z0) plus 0.2 * mean(theta), backward to alpha, Adam step;
- one region test: the forward up to that layer for 64 latents (a hook stops the pass there).
Prints `berOpt_step_ms=` and `region_test_batch64_ms=` (medians).
"""
import argparse
import statistics
import time

import torch
from probegan_step_torch import LATENT, Generator, generator_widths


class Stop(Exception):
    def __init__(self, value):
        self.value = value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ch = args.channels
    generator = Generator(generator_widths(ch), 1)
    generator.train()
    with torch.no_grad():
        for _ in range(4):
            generator(torch.randn(64, LATENT), torch.full((64,), 2, dtype=torch.long))
    generator.eval()
    for p in generator.parameters():
        p.requires_grad_(False)
    target_module = generator.blocks[0].bn2
    z0 = torch.randn(1, LATENT)
    label = torch.tensor([2])
    with torch.no_grad():
        x0 = generator(z0, label)
    state = {"mask": None, "stop": False}

    def hook(module, inputs, output):
        if state["stop"]:
            raise Stop(output)
        if state["mask"] is not None:
            return output * state["mask"]
        return output

    target_module.register_forward_hook(hook)
    # Unit shape of the layer: [C, 8, 8] for the quick generator's first block output.
    state["stop"] = True
    try:
        generator(z0, label)
    except Stop as stop:
        unit_shape = stop.value.shape[1:]
    state["stop"] = False
    alpha = torch.full((1, *unit_shape), 2.1972246, requires_grad=True)
    optimizer = torch.optim.Adam([alpha], lr=0.1)
    masks = 8
    zs = z0.expand(masks, -1)
    labels = label.expand(masks)

    def berOpt_step():
        u = torch.rand(masks, *unit_shape).clamp(1e-7, 1 - 1e-7)
        noise = torch.log(u) - torch.log1p(-u)
        state["mask"] = torch.sigmoid((alpha + noise) / 0.1)
        out = generator(zs, labels)
        state["mask"] = None
        distance = ((out - x0) ** 2).flatten(1).mean(1).add(1e-12).sqrt().mean()
        loss = distance + 0.2 * torch.sigmoid(alpha).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def region_test(batch):
        state["stop"] = True
        try:
            with torch.no_grad():
                generator(batch, torch.full((batch.shape[0],), 2, dtype=torch.long))
        except Stop as stop:
            value = stop.value
        state["stop"] = False
        return value

    for _ in range(3):
        berOpt_step()
    steps = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for _ in range(10):
            berOpt_step()
        steps.append((time.perf_counter() - start) / 10)
    batch = torch.randn(64, LATENT)
    region_test(batch)
    tests = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        region_test(batch)
        tests.append(time.perf_counter() - start)
    print(f"berOpt_step_ms={statistics.median(steps) * 1000:.3f}")
    print(f"region_test_batch64_ms={statistics.median(tests) * 1000:.3f}")


if __name__ == "__main__":
    main()
