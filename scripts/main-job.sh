#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the main job.
#
# Until the ProbeGAN trainer lands (`studio train --unseen women`, issue 6), the main job builds the
# default men / women / nonhuman corpus from recordings in Debian packages (once, into a cache) and
# runs the audio round trip every generated spectrogram will take on real clips of it: 16 kHz
# log-mel picture -> [-1, 1] -> NNLS + fast Griffin-Lim -> WAV you can listen to, in studio-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
swift build -c release --product studio
studio=.build/release/studio
out=studio-output
mkdir -p "$out"
"$studio" libraries
"$studio" corpus build
"$studio" corpus info --png "$out/corpus-examples.png"
corpus="${STUDIO_CACHE:-$HOME/.cache/spectrogram-studio}/corpus-default"
clips=(Corpora/audio/kajongg-female1-dangerousgame.ogg Corpora/audio/kajongg-male2-originalcall.ogg)
for class in men women nonhuman; do
    first=$(find "$corpus/test/$class" -name '*.wav' | sort | head -1)
    [ -n "$first" ] && clips+=("$first")
done
for clip in "${clips[@]}"; do
    name=$(basename "${clip%.*}")
    "$studio" audio spectrogram "$clip" --png "$out/$name.png"
    "$studio" audio invert "$clip" --out "$out/$name-roundtrip.wav" --seed 0
    "$studio" audio spectrogram "$out/$name-roundtrip.wav" --png "$out/$name-roundtrip.png"
done
echo "Listen to $out/*-roundtrip.wav and compare $out/*.png with $out/*-roundtrip.png."
