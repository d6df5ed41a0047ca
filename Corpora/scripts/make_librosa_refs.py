#!/usr/bin/env python3
"""Known answers from librosa for the StudioAudio tests.

Writes Corpora/reference/librosa/*.json and Corpora/audio/kajongg-female1-16k.wav. Every JSON file
records the library versions that produced it. Run from the repository root:

    pip install librosa==0.11.0 soundfile
    python3 Corpora/scripts/make_librosa_refs.py
"""
import json
import os

import librosa
import numpy as np
import scipy
import soundfile as sf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "reference", "librosa")
VERSIONS = {
    "librosa": librosa.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "soundfile": sf.__version__,
    "libsndfile": sf.__libsndfile_version__,
}


def save(name, payload):
    payload = {"generator": "Corpora/scripts/make_librosa_refs.py", "versions": VERSIONS, **payload}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))
    print("wrote", name)


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def chirp(n=2000, sr=8000):
    t = np.arange(n) / sr
    return (0.5 * np.sin(2 * np.pi * (100 * t + 1500 * t * t)) + 0.1 * np.cos(2 * np.pi * 37 * t)).astype(np.float32)


def stft_cases():
    y = chirp()
    cases = []
    for n_fft, hop, win, center, pad in [
        (256, 64, None, True, "constant"),
        (256, 64, 200, True, "reflect"),
        (255, 50, None, False, "constant"),
    ]:
        S = librosa.stft(y, n_fft=n_fft, hop_length=hop, win_length=win, center=center, pad_mode=pad)
        # librosa's layout is [bins, frames]; store frame-major interleaved (re, im) like the Swift side.
        St = S.T
        inter = np.stack([St.real, St.imag], axis=-1)
        cases.append({
            "fftSize": n_fft, "hopLength": hop, "windowLength": win or n_fft, "center": center, "padMode": pad,
            "frames": int(S.shape[1]), "bins": int(S.shape[0]), "values": floats(inter),
        })
    # istft of the first case, with an explicit length
    S = librosa.stft(y, n_fft=256, hop_length=64)
    inverse = librosa.istft(S, hop_length=64, n_fft=256, length=1900)
    save("stft_chirp.json", {"signal": floats(y), "cases": cases, "istftLength1900": floats(inverse)})


def mel_cases():
    cases = []
    for sr, n_fft, n_mels, fmin, fmax, htk, norm in [
        (16000, 512, 40, 0.0, None, False, "slaney"),
        (16000, 1024, 64, 0.0, None, False, "slaney"),
        (22050, 2048, 128, 0.0, None, True, None),
        (8000, 256, 20, 100.0, 3000.0, True, "slaney"),
        (16000, 1024, 80, 50.0, 7600.0, False, None),
    ]:
        M = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
        centres = librosa.mel_frequencies(n_mels=n_mels + 2, fmin=fmin, fmax=fmax or sr / 2, htk=htk)[1:-1]
        cases.append({
            "sampleRate": sr, "fftSize": n_fft, "melBandCount": n_mels, "minFrequency": fmin,
            "maxFrequency": fmax if fmax is not None else sr / 2, "htk": htk, "norm": norm or "none",
            "weights": floats(M), "centres": floats(centres),
        })
    save("mel_filterbanks.json", {"cases": cases})


def real_clip():
    src = os.path.join(ROOT, "audio", "kajongg-female1-dangerousgame.ogg")
    y, sr = sf.read(src, dtype="float32", always_2d=True)
    y = librosa.resample(y.mean(axis=1), orig_sr=sr, target_sr=16000, res_type="soxr_hq").astype(np.float32)
    wav = os.path.join(ROOT, "audio", "kajongg-female1-16k.wav")
    sf.write(wav, y, 16000, subtype="FLOAT")
    y, _ = sf.read(wav, dtype="float32")
    mel = librosa.feature.melspectrogram(y=y, sr=16000, n_fft=1024, hop_length=256, n_mels=64, power=2.0)
    log_mel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    top80 = librosa.power_to_db(mel, ref=np.max, top_db=80.0)
    S = np.abs(librosa.stft(y, n_fft=1024, hop_length=256))
    def convergence(rec):
        R = np.abs(librosa.stft(rec, n_fft=1024, hop_length=256))
        frames = min(R.shape[1], S.shape[1])
        return float(np.linalg.norm(S[:, :frames] - R[:, :frames]) / np.linalg.norm(S[:, :frames]))

    random_init, zero_init = {}, {}
    for n_iter in (4, 32, 100):
        for momentum in (0.99, 0.0):
            key = f"{n_iter}/{momentum}"
            # Zero phase (init=None) is deterministic: a known answer to compare against closely.
            zero_init[key] = convergence(librosa.griffinlim(
                S, n_iter=n_iter, hop_length=256, n_fft=1024, momentum=momentum, init=None))
            # Random phase varies a lot between seeds (0.05 to 0.08 at 32 iterations): keep a median.
            random_init[key] = float(np.median([convergence(librosa.griffinlim(
                S, n_iter=n_iter, hop_length=256, n_fft=1024, momentum=momentum, init="random",
                random_state=seed)) for seed in range(16)]))
    save("logmel_real_clip.json", {
        "wav": "Corpora/audio/kajongg-female1-16k.wav", "sampleRate": 16000, "fftSize": 1024,
        "hopLength": 256, "melBandCount": 64, "frames": int(mel.shape[1]),
        "powerMel": floats(mel.T), "decibels": floats(log_mel.T), "decibelsRefMaxTop80": floats(top80.T),
        "griffinLimZeroInitConvergence": zero_init,
        "griffinLimRandomInitConvergenceMedianOf16": random_init,
    })


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    stft_cases()
    mel_cases()
    real_clip()
