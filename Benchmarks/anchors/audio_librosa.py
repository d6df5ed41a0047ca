#!/usr/bin/env python3
"""The librosa side of `Benchmarks/run audio`: the same workloads as StudioBenchmarks, single thread.

Prints key=value lines: log-mel of the whole file (64 mels, n_fft 1024, hop 256, power_to_db
without top_db), griffinlim (momentum 0.99, random init) at 32 and 100 iterations on a 4 s clip, and
mel_to_audio (NNLS + griffinlim 32) of that clip's 64-mel power spectrogram. Medians of repeats.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import librosa  # noqa: E402
import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

N_FFT, HOP, SR = 1024, 256, 16000


def timed(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wav", required=True)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--clip-start", type=int, default=80)
    args = parser.parse_args()
    y, sr = sf.read(args.wav, dtype="float32")
    assert sr == SR, "the anchor file must be 16 kHz"
    print(f"librosa_version={librosa.__version__}")

    def log_mel():
        mel = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=64, power=2.0)
        return librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)

    log_mel()
    seconds, _ = timed(log_mel, args.repeats)
    print(f"logmel_ms={seconds * 1000}")
    print(f"logmel_realtime={len(y) / SR / seconds}")

    clip = y[args.clip_start * SR:(args.clip_start + 4) * SR]
    S = np.abs(librosa.stft(clip, n_fft=N_FFT, hop_length=HOP))

    def convergence(rec):
        R = np.abs(librosa.stft(rec, n_fft=N_FFT, hop_length=HOP))
        frames = min(R.shape[1], S.shape[1])
        return float(np.linalg.norm(S[:, :frames] - R[:, :frames]) / np.linalg.norm(S[:, :frames]))

    for n_iter in (32, 100):
        times, scs = [], []
        for seed in range(args.repeats):
            start = time.perf_counter()
            rec = librosa.griffinlim(S, n_iter=n_iter, hop_length=HOP, n_fft=N_FFT, momentum=0.99,
                                     init="random", random_state=seed)
            times.append(time.perf_counter() - start)
            scs.append(convergence(rec))
        print(f"gl{n_iter}_ms={statistics.median(times) * 1000}")
        print(f"gl{n_iter}_ms_per_iteration={statistics.median(times) * 1000 / n_iter}")
        print(f"gl{n_iter}_sc={statistics.median(scs)}")

    mel = librosa.feature.melspectrogram(y=clip, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=64, power=2.0)
    times, scs = [], []
    for seed in range(max(3, args.repeats // 2)):
        start = time.perf_counter()
        np.random.seed(seed)
        rec = librosa.feature.inverse.mel_to_audio(mel, sr=SR, n_fft=N_FFT, hop_length=HOP, n_iter=32)
        times.append(time.perf_counter() - start)
        again = librosa.feature.melspectrogram(y=rec, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=64, power=2.0)
        frames = min(again.shape[1], mel.shape[1])
        scs.append(float(np.linalg.norm(mel[:, :frames] - again[:, :frames]) / np.linalg.norm(mel[:, :frames])))
    print(f"mel2audio_ms={statistics.median(times) * 1000}")
    print(f"mel2audio_mel_sc={statistics.median(scs)}")


if __name__ == "__main__":
    with threadpool_limits(limits=1):
        main()
