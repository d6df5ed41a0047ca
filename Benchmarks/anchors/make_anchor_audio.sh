#!/usr/bin/env bash
# make_anchor_audio.sh: the audio anchor file of `Benchmarks/run audio`, written for Spectrogram
# Studio. It makes $OUT/test_10min_16k.wav (OUT defaults to ./anchor): exactly 600 s (9,600,000
# samples) of 16 kHz mono 16-bit audio, the workload of the log-mel and Griffin-Lim benchmarks.
#
# Eight spoken readings of one passage (espeak-ng, eight voices, speeds and pitches, resampled to
# 16 kHz and normalised to -3 dBFS) alternate with eight sox-synthesised segments: white, pink and
# brown noise, linear and exponential sine chirps, a sawtooth chirp (aliased harmonics), a tone pair
# amplitude-modulated by pink noise, and a chirp buried in white noise. The synthesised segments
# share what the speech leaves of the 600 s equally. The 4 s clip at 80 s, which the Griffin-Lim
# benchmarks cut out, lies inside the second reading (checked below).
#
# Needs espeak-ng and sox (scripts/install-system-packages.sh with STUDIO_WITH_BENCHMARKS=1).
# REPEATABLE=1 runs sox with -R (fixed seeds for its noise generators and dither), so the file is
# byte-identical from run to run on the same Debian packages; espeak-ng is deterministic by itself.
set -euo pipefail

out=${OUT:-./anchor}
sox_flags=()
[ "${REPEATABLE:-0}" = 1 ] && sox_flags=(-R)
rate=16000
total_s=600

mkdir -p "$out/parts"
out=$(cd "$out" && pwd)
parts="$out/parts"
rm -f "$parts"/*.wav

cat > "$parts/passage.txt" <<'TEXT'
On the first cold morning of October the lighthouse keeper climbed one hundred and twelve steps,
wound the clockwork, and wrote in the log that the wind had turned north by north-west. Below him
the fishing boats slid out of the harbour one by one, their engines coughing, their gulls circling
and complaining. A microphone records pressure, not meaning: the pattern of a voice is a quick
succession of vowels, which ring at steady resonances, and consonants, which hiss, pop and buzz
across a wide band of frequencies. Twenty-seven thousand four hundred and six, point nought nine,
and eleven fifteen are spoken plainly so that digits are heard as well as words. Would you kindly
pass the marmalade, the brown bread and the teapot, and then explain again why the train from
Leeds was forty minutes late? When the evening comes the keeper lights the lamp, checks the lens
for salt, and listens to the long swell breaking on the rocks beneath the tower.
TEXT

run_sox() { sox "${sox_flags[@]}" "$@"; }

# voice, words per minute, pitch (0-99)
readings=(
    "en-gb-x-rp+m1 160 45" "en-us+f1 172 62" "en-gb-scotland+m4 150 38" "en-029+f3 178 66"
    "en-gb-x-gbclan+m6 165 30" "en-us+f4 155 58" "en-gb-x-gbcwmd+m2 182 50" "en+f2 168 72"
)
speech_s=0
for index in "${!readings[@]}"; do
    read -r voice speed pitch <<< "${readings[$index]}"
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -f "$parts/passage.txt" -w "$parts/voice$index.wav"
    run_sox "$parts/voice$index.wav" -r $rate -c 1 -b 16 "$parts/speech$index.wav" norm -3
    speech_s=$(awk -v a="$speech_s" -v b="$(soxi -D "$parts/speech$index.wav")" 'BEGIN { print a + b }')
done

# Each synthesised segment gets an equal share of what the speech leaves.
segment_s=$(awk -v s="$speech_s" -v t=$total_s 'BEGIN { printf "%.3f", (t - s) / 8 }')
awk -v d="$segment_s" 'BEGIN { exit !(d >= 5) }' \
    || { echo "error: the speech takes ${speech_s} s, leaving ${segment_s} s per sound segment" >&2; exit 1; }
synth() { run_sox -n -r $rate -c 1 -b 16 "$parts/$1.wav" synth "$segment_s" "${@:2}"; }
synth sound0 whitenoise vol 0.25
synth sound1 sine 80-7500 vol 0.5            # linear chirp
synth sound2 pinknoise vol 0.35
synth sound3 sine 40:7800 vol 0.5            # exponential chirp
synth sound4 brownnoise vol 0.45
synth sound5 sawtooth 110-2800 vol 0.15      # sawtooth chirp, aliased harmonics
# A 330 + 495 Hz tone pair amplitude-modulated by pink noise; a chirp mixed into white noise.
synth sound6 sine 330 synth "$segment_s" sine mix 495 synth "$segment_s" pinknoise amod 4 vol 0.3
synth sound7 whitenoise vol 0.12 synth "$segment_s" sine mix 250-3500

order=()
for index in 0 1 2 3 4 5 6 7; do order+=("$parts/speech$index.wav" "$parts/sound$index.wav"); done
run_sox "${order[@]}" "$parts/joined.wav"
# Rounding the segment lengths leaves the join a few samples off 600 s: pad or cut to the sample.
missing=$((total_s * rate - $(soxi -s "$parts/joined.wav")))
if [ "$missing" -ge 0 ]; then fit=(pad 0 "${missing}s"); else fit=(trim 0 "$((total_s * rate))s"); fi
run_sox "$parts/joined.wav" "$out/test_10min_16k.wav" "${fit[@]}"

first_speech_s=$(soxi -D "$parts/speech0.wav")
awk -v a="$first_speech_s" -v d="$segment_s" -v b="$(soxi -D "$parts/speech1.wav")" \
    'BEGIN { start = a + d; exit !(start <= 80 && start + b >= 84) }' \
    || echo "warning: the clip at 80-84 s is not inside the second reading" >&2
soxi "$out/test_10min_16k.wav"
md5sum "$out/test_10min_16k.wav"
