import Foundation

/// The difference of two sample means with Welch's large-sample 95% interval: how far apart two
/// sets of a continuous statistic lie, which a thresholded detection rate can hide (two sets can
/// both sit below a threshold and still differ).
public struct MeanDifference: Sendable, Codable, Equatable {
    /// Mean of the first set minus mean of the second.
    public let difference: Double
    /// The interval's bounds.
    public let lower: Double, upper: Double

    /// The difference of `first`'s and `second`'s means, with the normal-approximation interval
    /// `difference ± z·sqrt(s1²/n1 + s2²/n2)` (sample variances; each set needs at least two values).
    public init?(_ first: [Float], _ second: [Float], z: Double = 1.959_963_984_540_054) {
        guard let a = Self.moments(first), let b = Self.moments(second) else { return nil }
        difference = a.mean - b.mean
        let half = z * (a.variance / Double(first.count) + b.variance / Double(second.count)).squareRoot()
        lower = difference - half
        upper = difference + half
    }

    /// True when the interval excludes zero.
    public var excludesZero: Bool { lower > 0 || upper < 0 }

    /// Mean and sample variance (nil for fewer than two values).
    static func moments(_ values: [Float]) -> (mean: Double, variance: Double)? {
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        let squares = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
        return (mean, squares / Double(values.count - 1))
    }
}
