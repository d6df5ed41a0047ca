#!/usr/bin/env bash
# Makes the small synthetic audio fixtures in Corpora/audio/ (sox 14.4.2 and lame 3.100 from Debian 12).
# Each is a pure tone, so tests can check the decoded frequency and level as well as the format.
set -euo pipefail
cd "$(dirname "$0")/../audio"
sox -R -n -r 44100 -c 2 -b 16 /tmp/studio-stereo.wav synth 0.5 sine 440 vol 0.5
lame --quiet -b 128 /tmp/studio-stereo.wav tone-440hz-stereo-44k1.mp3
sox -R -n -r 48000 -c 1 -b 24 tone-1khz-24bit-48k.wav synth 0.2 sine 1000 vol 0.5
sox -R -n -r 8000 -c 1 -b 16 tone-300hz-8k.wav synth 0.5 sine 300 vol 0.5
sox -R -n -r 22050 -c 2 -b 16 tone-2khz-stereo-22k05.flac synth 0.3 sine 2000 vol 0.5
rm -f /tmp/studio-stereo.wav
ls -l
