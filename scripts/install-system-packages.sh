#!/usr/bin/env bash
# Installs the Debian packages Spectrogram Studio builds, tests and runs with.
# Idempotent: packages already present are skipped; apt's lock is retried when busy.
set -euo pipefail

packages=(
    pkg-config
    libopenblas-dev   # BLAS for the tensor engine
    libdnnl-dev       # oneDNN: the tensor engine's convolutions
    libfftw3-dev      # FFTW3 single precision: STFT / ISTFT
    libsndfile1-dev   # reading and writing WAV / FLAC / OGG / MP3
    libsamplerate0-dev  # band-limited resampling
    libpng-dev        # PNG pictures
    zlib1g-dev        # gzip-compressed IDX image files
    dataset-fashion-mnist  # image mode's default dataset (/usr/share/datasets/fashion-mnist)
    sox               # test fixtures (stereo, 24-bit, 8 kHz files)
    lame              # test fixture: an MP3 file
    chromium          # the listening-test page tested in a real headless browser
    python3-websocket # the small DevTools-protocol driver of that test (Debian's python3)
)
# Benchmarks/run: espeak-ng (with sox) makes the anchor audio, time measures peak memory.
if [ "${STUDIO_WITH_BENCHMARKS:-0}" = 1 ]; then packages+=(espeak-ng time); fi
# The cluster tests and scripts/local-slurm.sh: a one-node Slurm with munge.
if [ "${STUDIO_WITH_SLURM:-0}" = 1 ]; then packages+=(munge slurmctld slurmd slurm-client); fi
# MPI data parallelism (`mpirun -np N studio train`) and its tests: Open MPI, loaded at run time.
if [ "${STUDIO_WITH_MPI:-0}" = 1 ]; then packages+=(openmpi-bin libopenmpi3); fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
retry() {
    local attempt
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        if $sudo "$@"; then return 0; fi
        echo "apt busy or failed (attempt $attempt): retrying in 10 s" >&2
        sleep 10
    done
    echo "error: '$*' failed 10 times; check the apt lock (fuser /var/lib/dpkg/lock-frontend) and the network" >&2
    return 1
}
retry apt-get -o DPkg::Lock::Timeout=120 update -qq
retry apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}"
