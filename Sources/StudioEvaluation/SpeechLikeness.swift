import Foundation

/// Set-level comparisons of hand-made acoustic features: no model trained on the corpus shapes
/// them, so they judge generated clips without a classifier's blind spots.
public enum SpeechLikeness {
    /// The Frechet distance between two sets of feature rows after standardising every feature
    /// by `reference` (mean and standard deviation per feature, usually the pooled real held-out
    /// clips of every class), so that no feature's unit dominates.
    /// - Throws: `EvaluationError.tooFewSamples` when a set has fewer than 2 rows.
    public static func distance(_ a: [Float], _ b: [Float], width: Int, reference: Standardization) throws
        -> Double
    {
        try FrechetDistance.distance(reference.apply(a), reference.apply(b), width: width)
    }

    /// The median over pairs of rows of the root-mean-square difference between them (for
    /// log-mel spectrograms in dB: how different two clips of one class are). At most `maximumPairs`
    /// pairs are used, spread evenly over all pairs, so the result does not depend on a random draw.
    public static func medianPairwiseDistance(_ rows: [Float], width: Int, maximumPairs: Int = 20_000) -> Double? {
        let count = rows.count / max(width, 1)
        guard count >= 2 else { return nil }
        let total = count * (count - 1) / 2
        let step = max(1, total / maximumPairs)
        var distances = [Double]()
        distances.reserveCapacity(min(total, maximumPairs + 1))
        var pair = 0
        rows.withUnsafeBufferPointer { values in
            for i in 0..<count {
                for j in (i + 1)..<count {
                    defer { pair += 1 }
                    guard pair % step == 0 else { continue }
                    var sum: Double = 0
                    for k in 0..<width {
                        let delta = Double(values[i * width + k] - values[j * width + k])
                        sum += delta * delta
                    }
                    distances.append((sum / Double(width)).squareRoot())
                }
            }
        }
        return DistributionSummary(distances).median
    }
}

/// Per-feature mean and standard deviation, applied as `(x - mean) / deviation`.
public struct Standardization: Sendable, Codable, Equatable {
    /// Per-feature mean and standard deviation (at least 1e-6).
    public let mean: [Double], deviation: [Double]

    /// The standardisation of `rows` of `width` features.
    /// - Throws: `EvaluationError.tooFewSamples` for fewer than 2 rows.
    public init(rows: [Float], width: Int) throws {
        let count = rows.count / max(width, 1)
        guard count >= 2 else { throw EvaluationError.tooFewSamples(count: count, needed: 2) }
        var mean = [Double](repeating: 0, count: width)
        var square = [Double](repeating: 0, count: width)
        for row in 0..<count {
            for column in 0..<width { mean[column] += Double(rows[row * width + column]) }
        }
        mean = mean.map { $0 / Double(count) }
        for row in 0..<count {
            for column in 0..<width {
                let delta = Double(rows[row * width + column]) - mean[column]
                square[column] += delta * delta
            }
        }
        self.mean = mean
        deviation = square.map { max(($0 / Double(count - 1)).squareRoot(), 1e-6) }
    }

    /// `rows` standardised.
    public func apply(_ rows: [Float]) -> [Float] {
        let width = mean.count
        return rows.enumerated().map { index, value in
            Float((Double(value) - mean[index % width]) / deviation[index % width])
        }
    }
}
