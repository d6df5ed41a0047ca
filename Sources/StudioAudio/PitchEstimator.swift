/// Fundamental frequency by YIN's cumulative mean normalised difference (de Cheveigne & Kawahara,
/// JASA 2002): the corpus's gender sanity checks and voiced-clip filter, and the judge-free pitch
/// measures of `studio evaluate`.
///
/// 16 kHz input, 60-450 Hz search range, 30 ms integration window, 10 ms hop, threshold 0.2, frames
/// quieter than 35 dB below the loudest ignored (the prototype's settings, `f0.py`).
public enum PitchEstimator {
    /// The only sample rate the estimator reads.
    public static let sampleRate = 16_000
    /// The search range in Hz.
    public static let lowestF0: Float = 60, highestF0: Float = 450
    static let minimumLag = sampleRate / 450
    static let maximumLag = sampleRate / 60
    static let window = 480
    /// Samples between frames (10 ms).
    public static let hop = 160
    static let threshold: Float = 0.2

    /// One frame's analysis.
    public struct Frame: Sendable, Equatable {
        /// F0 in Hz, nil when the frame is unvoiced or too quiet.
        public let f0: Float?
        /// YIN's aperiodicity: the smallest normalised difference in the search range (0 for a
        /// perfectly periodic frame, about 1 for noise); nil for frames too quiet to analyse.
        public let aperiodicity: Float?
    }

    /// Per-frame analysis of every frame examined (quiet frames have nil F0 and aperiodicity).
    public static func track(_ samples: [Float]) -> [Frame] {
        let span = window + maximumLag + 1
        guard samples.count > span else { return [] }
        let starts = Array(stride(from: 0, to: samples.count - span, by: hop))
        let energies = starts.map { start in
            (0..<window).reduce(Float(0)) { $0 + samples[start + $1] * samples[start + $1] }
        }
        let loudest = energies.max() ?? 0
        var result = [Frame]()
        result.reserveCapacity(starts.count)
        var difference = [Float](repeating: 0, count: maximumLag + 1)
        var normalized = [Float](repeating: 1, count: maximumLag + 1)
        samples.withUnsafeBufferPointer { x in
            for (frame, start) in starts.enumerated() {
                guard loudest > 0, energies[frame] > loudest * 3.162e-4 else {
                    result.append(Frame(f0: nil, aperiodicity: nil))
                    continue
                }
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
                for lag in 1...maximumLag {
                    running += difference[lag]
                    normalized[lag] = difference[lag] / max(running / Float(lag), 1e-12)
                }
                let aperiodicity = min(normalized[minimumLag...maximumLag].min() ?? 1, 1)
                guard var lag = (minimumLag...maximumLag).first(where: { normalized[$0] < threshold }) else {
                    result.append(Frame(f0: nil, aperiodicity: aperiodicity))
                    continue
                }
                while lag + 1 <= maximumLag && normalized[lag + 1] < normalized[lag] { lag += 1 }
                var refined = Float(lag)
                if lag >= 1 && lag < maximumLag {
                    let (a, b, c) = (normalized[lag - 1], normalized[lag], normalized[lag + 1])
                    let denominator = a - 2 * b + c
                    if denominator != 0 { refined += 0.5 * (a - c) / denominator }
                }
                result.append(Frame(f0: Float(sampleRate) / refined, aperiodicity: aperiodicity))
            }
        }
        return result
    }

    /// Per-frame F0 in Hz of the frames loud enough to analyse (nil for unvoiced ones) and the
    /// number of frames examined.
    public static func frameF0(_ samples: [Float]) -> (f0: [Float?], frameCount: Int) {
        let frames = track(samples)
        return (frames.filter { $0.aperiodicity != nil }.map(\.f0), frames.count)
    }

    /// The median F0 of the voiced frames (nil when fewer than 5) and the voiced fraction.
    public static func summary(_ samples: [Float]) -> (medianF0: Float?, voicedFraction: Float) {
        summary(track(samples))
    }

    /// The same summary of a track already computed.
    public static func summary(_ frames: [Frame]) -> (medianF0: Float?, voicedFraction: Float) {
        let voiced = frames.compactMap(\.f0).sorted()
        let fraction = frames.isEmpty ? 0 : Float(voiced.count) / Float(frames.count)
        guard voiced.count >= 5 else { return (nil, fraction) }
        return (voiced[voiced.count / 2], fraction)
    }
}
