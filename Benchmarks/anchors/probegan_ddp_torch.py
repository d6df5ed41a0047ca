"""PyTorch CPU anchor for `Benchmarks/run cluster`: the quick preset's iteration over N processes.

The iteration of probegan_presets_torch.py (channel base 16, batch 32, 2 D steps) with the batch
split over N processes (torch.distributed, gloo over TCP on this machine): each process computes
its 32 / N examples and all-reduces every gradient before its optimiser step, as
DistributedDataParallel does (without DDP's wrapper, which does not take the gradient penalty's
double backward). Its batch norm is per process, not synchronised (the studio's is synchronised).
Prints, from rank 0, `iteration_s=` (median of the timed iterations, after one warm-up).
"""
import argparse
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from probegan_step_torch import ProbeGANIteration


def averaging(optimizer, world):
    """Makes `optimizer.step()` first average its gradients over the processes."""
    step = optimizer.step

    def averaged_step(*args, **kwargs):
        for group in optimizer.param_groups:
            for parameter in group["params"]:
                if parameter.grad is not None:
                    dist.all_reduce(parameter.grad)
                    parameter.grad /= world
        return step(*args, **kwargs)

    optimizer.step = averaged_step


def worker(rank, world, threads, iterations, port):
    torch.set_num_threads(threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    iteration = ProbeGANIteration(16, 32 // world, 2)
    if world > 1:
        averaging(iteration.g_optimizer, world)
        averaging(iteration.d_optimizer, world)
    iteration.run()  # warm-up
    times = []
    for _ in range(iterations):
        dist.barrier()
        start = time.perf_counter()
        iteration.run()
        times.append(time.perf_counter() - start)
    if rank == 0:
        print(f"processes={world} threads={threads}")
        print(f"iteration_s={statistics.median(times)}")
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--port", type=int, default=29517)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    mp.spawn(worker, args=(args.processes, args.threads, args.iterations, args.port), nprocs=args.processes)


if __name__ == "__main__":
    main()
