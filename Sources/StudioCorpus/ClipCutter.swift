/// Cuts fixed-length clips from a recording, as the corpus prototype does (`make_clips.py`).
///
/// - A file up to 1.5 clip lengths gives one clip: its most energetic window, or the whole file
///   centred in zeros when it is shorter than a clip.
/// - A longer file gives non-overlapping windows whose active share (20 ms frames within 25 dB of
///   the loudest) is at least 50% for speech, 30% for other sounds, up to `maximumWindows`.
public enum ClipCutter {
    /// One cut clip and where it started.
    public struct Clip: Sendable {
        /// Start in the recording, in samples (0 for a padded short file).
        public let offset: Int
        /// The samples, peak-normalised to 0.89 (-1 dBFS).
        public let samples: [Float]
    }

    static let frameHop = 320

    /// Clips of `length` samples from `samples` (16 kHz); files under 0.1 s give none, and clips whose
    /// peak is below 1e-3 (silence) are dropped.
    public static func clips(from samples: [Float], length: Int, speech: Bool, maximumWindows: Int?) -> [Clip] {
        guard samples.count >= 1_600 else { return [] }
        var windows = [(Int, [Float])]()
        if Double(samples.count) <= 1.5 * Double(length) {
            if samples.count < length {
                let before = (length - samples.count) / 2
                windows.append(
                    (
                        0,
                        [Float](repeating: 0, count: before) + samples
                            + [Float](repeating: 0, count: length - samples.count - before)
                    ))
            } else {
                windows.append(loudestWindow(samples, length: length))
            }
        } else {
            let active = activity(samples)
            let needed: Float = speech ? 0.5 : 0.3
            var start = (active.firstIndex(of: true) ?? 0) * frameHop
            while start + length <= samples.count, maximumWindows.map({ windows.count < $0 }) ?? true {
                let frames = active[(start / frameHop)..<min(active.count, (start + length) / frameHop)]
                let share = Float(frames.filter { $0 }.count) / Float(max(frames.count, 1))
                if share >= needed {
                    windows.append((start, Array(samples[start..<(start + length)])))
                    start += length
                } else {
                    start += length / 4
                }
            }
        }
        return windows.compactMap { offset, window in
            let peak = window.map { abs($0) }.max() ?? 0
            guard peak >= 1e-3 else { return nil }
            let gain = 0.89 / peak
            return Clip(offset: offset, samples: window.map { $0 * gain })
        }
    }

    private static func loudestWindow(_ samples: [Float], length: Int) -> (Int, [Float]) {
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for index in samples.indices { prefix[index + 1] = prefix[index] + Double(samples[index] * samples[index]) }
        var best = 0
        for start in 0...(samples.count - length)
        where prefix[start + length] - prefix[start] > prefix[best + length] - prefix[best] {
            best = start
        }
        return (best, Array(samples[best..<(best + length)]))
    }

    /// Per 20 ms frame: is its RMS within 25 dB of the loudest frame (and above -55 dBFS)?
    static func activity(_ samples: [Float]) -> [Bool] {
        let frames = samples.count / frameHop
        let rms = (0..<frames).map { frame -> Float in
            var sum: Float = 0
            for index in (frame * frameHop)..<((frame + 1) * frameHop) { sum += samples[index] * samples[index] }
            return (sum / Float(frameHop) + 1e-20).squareRoot()
        }
        let threshold = max((rms.max() ?? 0) * 0.056_234, 0.001_778)
        return rms.map { $0 > threshold }
    }
}
