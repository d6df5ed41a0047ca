"""PyTorch CPU anchor for `Benchmarks/run presets` and `jobs`: one ProbeGAN iteration at a preset's sizes.

The iteration of probegan_step_torch.py (the studio's own generator, two-headed discriminator,
frozen classifier, losses and optimisers, mel layout 1x64x64) at the preset's channel base ch,
batch and discriminator steps per generator step, as `StudioBenchmarks train --channels --batch
--d-steps` runs them. Prints `iteration_s=` (median of the timed iterations, after one warm-up).
"""
import argparse
import statistics
import time

import torch
from probegan_step_torch import ProbeGANIteration

PRESETS = {"quick": (16, 32, 2), "standard": (32, 32, 2), "paper": (64, 64, 4)}  # ch, batch, D steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    iteration = ProbeGANIteration(*PRESETS[args.preset])
    iteration.run()  # warm-up
    times = []
    for _ in range(args.iterations):
        start = time.perf_counter()
        iteration.run()
        times.append(time.perf_counter() - start)
    print(f"iteration_s={statistics.median(times):.4f}")


if __name__ == "__main__":
    main()
