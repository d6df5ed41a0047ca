#!/usr/bin/env python3
"""The PyTorch side of `Benchmarks/run engine`: the same sgemm and convolutions as StudioBenchmarks
(forward, and backward for input and weight), medians of repeats, at the thread count asked."""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def timed(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--layers", choices=["wide", "quick"], default="wide")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    n = 1024
    a, b = torch.randn(n, n), torch.randn(n, n)
    print(f"sgemm1024_gflops={2 * n ** 3 / timed(lambda: a @ b, args.repeats) / 1e9}")
    wide = [("g64_3x3_64to64", 32, 64, 64, 64, 3), ("g32_3x3_128to64", 32, 128, 64, 64, 3),
            ("d64_3x3_1to64", 64, 1, 64, 64, 3), ("d32_3x3_64to128", 64, 64, 128, 32, 3),
            ("d16_3x3_128to256", 64, 128, 256, 16, 3)]
    quick = [("g64_3x3_16to16", 32, 16, 16, 64, 3), ("g32_3x3_32to16", 32, 32, 16, 32, 3),
             ("g16_3x3_64to32", 32, 64, 32, 16, 3), ("d64_3x3_1to16", 64, 1, 16, 64, 3),
             ("d64_3x3_16to16", 64, 16, 16, 64, 3), ("d32_3x3_16to32", 64, 16, 32, 32, 3),
             ("d16_3x3_32to64", 64, 32, 64, 16, 3)]
    layers = quick if args.layers == "quick" else wide
    total_flops, total_seconds = 0.0, 0.0
    for name, batch, cin, cout, size, k in layers:
        x = torch.randn(batch, cin, size, size, requires_grad=True)
        w = torch.randn(cout, cin, k, k, requires_grad=True)
        flops = 2.0 * batch * cout * size * size * cin * k * k
        with torch.no_grad():
            forward = timed(lambda: F.conv2d(x, w, padding=k // 2), args.repeats)
        y = F.conv2d(x, w, padding=k // 2)
        dy = torch.randn_like(y)
        backward = timed(lambda: torch.autograd.grad(y, [x, w], dy, retain_graph=True), args.repeats)
        total_flops += 3 * flops
        total_seconds += forward + backward
        print(f"conv_{name}_forward_ms={forward * 1000} conv_{name}_forward_gflops={flops / forward / 1e9}")
        print(f"conv_{name}_backward_ms={backward * 1000} conv_{name}_backward_gflops={2 * flops / backward / 1e9}")
    print(f"conv_total_ms={total_seconds * 1000}")
    print(f"conv_total_gflops={total_flops / total_seconds / 1e9}")


if __name__ == "__main__":
    main()
