"""PyTorch CPU anchor for `Benchmarks/run presets`: one ProbeGAN iteration at each preset's sizes.

Reuses the team's reference workload (../shared/reference/anchors/torch_probegan_step.py: the same
generator, two-headed discriminator, frozen CNN classifier and losses) and only changes the widths
(multiples of the preset's channel base ch, the 64x64 mel layout), the batch and the number of
discriminator steps per generator step. Prints `iteration_s=` (median) for the given preset.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../shared/reference/anchors"))
import torch  # noqa: E402
import torch_probegan_step as reference  # noqa: E402

PRESETS = {"quick": (16, 32, 2), "standard": (32, 32, 2), "paper": (64, 64, 4)}  # ch, batch, D steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    ch, batch, d_steps = PRESETS[args.preset]
    name = f"mel-{args.preset}"
    reference.CONFIGS[name] = (1, 64, [4 * ch, 4 * ch, 2 * ch, ch, ch], [ch, 2 * ch, 4 * ch, 4 * ch], [True] * 4)
    trainer = reference.Trainer(name, batch)
    times = []
    for iteration in range(args.iterations + 1):
        start = time.perf_counter()
        for _ in range(d_steps):
            trainer.d_step()
        trainer.g_step()
        if iteration > 0:  # the first iteration warms up
            times.append(time.perf_counter() - start)
    print(f"iteration_s={statistics.median(times):.4f}")


if __name__ == "__main__":
    main()
