#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the main job:
#   studio train --unseen women   (ProbeGAN on the default corpus, the robust default classifier)
#   studio render ...             (WAVs of the unseen class, with a spectrogram picture each)
# The first run also builds the default corpus from Debian packages (about 2.5 minutes) and trains
# the default regular and robust classifiers and the judge (about 30 minutes on 2 cores); they are
# cached in ~/.cache/spectrogram-studio (or $STUDIO_CACHE) and reused by every later run.
# ProbeGAN itself (the quick preset) takes about 30 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
swift build -c release --product studio
studio=.build/release/studio
"$studio" libraries
"$studio" corpus build
run=runs/probegan-women-robust-quick
if [ -f "$run/summary.json" ]; then
    echo "$run is already trained (delete it to train again)"
elif [ -f "$run/checkpoints/last.safetensors" ]; then
    "$studio" train --resume "$run"
else
    "$studio" train --unseen women --out "$run"
fi
"$studio" render --run "$run" --class women --count 20 --out studio-output/women
"$studio" render --run "$run" --class men --count 5 --out studio-output/men
"$studio" render --run "$run" --class nonhuman --count 5 --out studio-output/nonhuman
echo "Listen to studio-output/women/*.wav (the class the GAN never saw); grids: studio-output/*/*-grid.png;"
echo "curves and the summary: $run/losses.png, $run/evaluation.png, $run/summary.json."
