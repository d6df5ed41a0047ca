#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the main job:
#   studio train --unseen women   (ProbeGAN on the default corpus, the robust default classifier)
#   studio render ...             (WAVs of the unseen class, with a spectrogram picture each)
# The first run also builds the default corpus from Debian packages (about 1.5 minutes) and trains
# the default regular and robust classifiers and the judge (about 12 minutes on 2 cores); they are
# cached in ~/.cache/spectrogram-studio (or $STUDIO_CACHE) and reused by every later run.
# ProbeGAN itself (the quick preset) takes about 11 minutes on 2 cores.
# Chatty steps (apt, the compiler) write to runs/main-job-logs/; each phase prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=runs/main-job-logs
mkdir -p "$logs"
phase_name="" phase_started=$SECONDS job_started=$SECONDS
phase() {  # phase NAME: ends the phase before it (printing its time) and starts NAME
    [ -n "$phase_name" ] && echo "== $phase_name: $((SECONDS - phase_started)) s"
    phase_name=$1 phase_started=$SECONDS
    [ -n "$phase_name" ] && echo "== $phase_name"
    return 0
}
quietly() {  # quietly LOG COMMAND...: runs COMMAND with its output in LOG; on failure shows its end
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        echo "error: '$*' failed; the last lines of $log:" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
}
phase "packages"
quietly "$logs/packages.log" bash scripts/install-system-packages.sh
phase "build"
quietly "$logs/build.log" swift build -c release --product studio
studio=.build/release/studio
"$studio" libraries
phase "corpus"
"$studio" corpus build
phase "classifiers, judge and ProbeGAN"
run=runs/probegan-women-robust-quick
if [ -f "$run/summary.json" ]; then
    echo "$run is already trained (delete it to train again)"
elif [ -f "$run/checkpoints/last.safetensors" ]; then
    "$studio" train --resume "$run"
else
    "$studio" train --unseen women --out "$run"
fi
phase "render"
"$studio" render --run "$run" --class women --count 20 --out studio-output/women
"$studio" render --run "$run" --class men --count 5 --out studio-output/men
"$studio" render --run "$run" --class nonhuman --count 5 --out studio-output/nonhuman
phase ""
echo "== main job: $((SECONDS - job_started)) s in all"
echo "Listen to studio-output/women/*.wav (the class the GAN never saw); grids: studio-output/*/*-grid.png;"
echo "curves and the summary: $run/losses.png, $run/evaluation.png, $run/summary.json."
