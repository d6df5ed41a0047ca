import StudioAudio
for f in ["stereo.wav","stereo.mp3","s24.wav","r8k.wav","empty.wav","trunc.wav","header.wav","text.wav","missing.wav"] {
    do { let (s, i) = try AudioFile.readMono("/tmp/badaudio/" + f); print(f, i, s.samples.count) }
    catch { print(f, "ERROR:", error) }
}
