/// Fundamental frequency by YIN's cumulative mean normalised difference (de Cheveigne & Kawahara,
/// JASA 2002), for the corpus's gender sanity checks and voiced-frame filter.
///
/// 16 kHz input, 60-450 Hz search range, 30 ms integration window, 10 ms hop, threshold 0.2, frames
/// quieter than 35 dB below the loudest ignored (the prototype's settings, `f0.py`).
public enum PitchEstimator {
    static let sampleRate = 16_000
    static let minimumLag = sampleRate / 450
    static let maximumLag = sampleRate / 60
    static let window = 480
    static let hop = 160
    static let threshold: Float = 0.2

    /// Per-frame F0 in Hz (nil for unvoiced or quiet frames) and the number of frames examined.
    public static func frameF0(_ samples: [Float]) -> (f0: [Float?], frameCount: Int) {
        let span = window + maximumLag + 1
        guard samples.count > span else { return ([], 0) }
        let starts = Array(stride(from: 0, to: samples.count - span, by: hop))
        let energies = starts.map { start in
            (0..<window).reduce(Float(0)) { $0 + samples[start + $1] * samples[start + $1] }
        }
        let loudest = energies.max() ?? 0
        var result = [Float?]()
        var difference = [Float](repeating: 0, count: maximumLag + 1)
        samples.withUnsafeBufferPointer { x in
            for (frame, start) in starts.enumerated() where energies[frame] > loudest * 3.162e-4 {
                // d(tau) = sum_j (x[j] - x[j + tau])^2 over the window.
                for lag in 1...maximumLag {
                    var sum: Float = 0
                    for j in 0..<window {
                        let delta = x[start + j] - x[start + j + lag]
                        sum += delta * delta
                    }
                    difference[lag] = sum
                }
                var running: Float = 0
                var normalized = [Float](repeating: 1, count: maximumLag + 1)
                for lag in 1...maximumLag {
                    running += difference[lag]
                    normalized[lag] = difference[lag] / max(running / Float(lag), 1e-12)
                }
                guard var lag = (minimumLag...maximumLag).first(where: { normalized[$0] < threshold }) else {
                    result.append(nil)
                    continue
                }
                while lag + 1 <= maximumLag && normalized[lag + 1] < normalized[lag] { lag += 1 }
                var refined = Float(lag)
                if lag >= 1 && lag < maximumLag {
                    let (a, b, c) = (normalized[lag - 1], normalized[lag], normalized[lag + 1])
                    let denominator = a - 2 * b + c
                    if denominator != 0 { refined += 0.5 * (a - c) / denominator }
                }
                result.append(Float(sampleRate) / refined)
            }
        }
        return (result, starts.count)
    }

    /// The median F0 of the voiced frames (nil when fewer than 5) and the voiced fraction.
    public static func summary(_ samples: [Float]) -> (medianF0: Float?, voicedFraction: Float) {
        let (frames, count) = frameF0(samples)
        let voiced = frames.compactMap { $0 }.sorted()
        let fraction = count > 0 ? Float(voiced.count) / Float(count) : 0
        guard voiced.count >= 5 else { return (nil, fraction) }
        return (voiced[voiced.count / 2], fraction)
    }
}
