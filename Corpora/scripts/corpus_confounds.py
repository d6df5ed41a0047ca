#!/usr/bin/env python3
"""Measures how far single cues separate men from women in a built corpus (the corpus issue's check:
pitch alone must not reach 100%, bandwidth or silence alone must not separate them).

For each cue, the best single threshold (either direction) is chosen on the train split and its
accuracy reported on train and on the held-out-speaker test split. Cues: median F0 (from
manifest.csv), the share of spectral energy above 4 kHz (bandwidth), and the share of samples below
-50 dBFS (silence and zero padding).

    python3 Corpora/scripts/corpus_confounds.py ~/.cache/spectrogram-studio/corpus-default
"""
import csv
import os
import sys

import numpy as np
import soundfile as sf


def features(path):
    y, sr = sf.read(path, dtype="float32")
    spectrum = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / sr)
    high = spectrum[freqs > 4000].sum() / max(spectrum.sum(), 1e-20)
    silence = float(np.mean(np.abs(y) < 10 ** (-50 / 20)))
    return high, silence


def best_threshold(train_x, train_y, test_x, test_y):
    best = (0.0, None, 1)
    for t in np.unique(train_x):
        for sign in (1, -1):
            acc = np.mean((sign * train_x > sign * t) == train_y)
            if acc > best[0]:
                best = (acc, t, sign)
    acc_train, t, sign = best
    acc_test = np.mean((sign * test_x > sign * t) == test_y)
    return acc_train, acc_test, t


def main(root):
    rows = [r for r in csv.DictReader(open(os.path.join(root, "manifest.csv"))) if r["class"] in ("men", "women")]
    counters = {}
    data = {"train": [], "test": []}
    for r in rows:
        index = counters.get(r["speaker"], 0)
        counters[r["speaker"]] = index + 1
        path = os.path.join(root, r["split"], r["class"], f"{r['speaker']}__{index:05d}.wav")
        high, silence = features(path)
        f0 = float(r["f0_hz"]) if r["f0_hz"] else np.nan
        data[r["split"]].append((f0, high, silence, r["class"] == "women"))
    train, test = np.array(data["train"]), np.array(data["test"])
    for name, column in (("pitch (median F0)", 0), ("bandwidth (energy above 4 kHz)", 1), ("silence (share below -50 dBFS)", 2)):
        keep_train = ~np.isnan(train[:, column])
        keep_test = ~np.isnan(test[:, column])
        acc_train, acc_test, t = best_threshold(
            train[keep_train, column], train[keep_train, 3], test[keep_test, column], test[keep_test, 3])
        print(f"{name}: threshold {t:.4g}: train {100 * acc_train:.1f}%, test {100 * acc_test:.1f}%")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/spectrogram-studio/corpus-default"))
