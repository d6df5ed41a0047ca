import Foundation

/// The mean of one shift measured in several independent training runs (replicates), with a
/// Student-t 95% interval over runs: the spread between training runs, which an interval over the
/// clips of one run (`MeanDifference`) does not cover.
public struct ReplicateShift: Sendable, Codable, Equatable {
    /// The shift of each replicate.
    public let shifts: [Double]
    /// Their mean and sample standard deviation.
    public let mean: Double, standardDeviation: Double
    /// The interval `mean ± t(0.975, n - 1) · sd / sqrt(n)`.
    public let lower: Double, upper: Double

    /// Needs at least two replicates that differ (identical shifts measure no spread: nil).
    public init?(_ shifts: [Double]) {
        let count = shifts.count
        guard count >= 2, shifts.allSatisfy(\.isFinite) else { return nil }
        let average = shifts.reduce(0, +) / Double(count)
        let squares = shifts.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        let deviation = (squares / Double(count - 1)).squareRoot()
        guard deviation > 0 else { return nil }
        let half = Self.studentQuantile975(degreesOfFreedom: count - 1) * deviation / Double(count).squareRoot()
        self.shifts = shifts
        mean = average
        standardDeviation = deviation
        lower = average - half
        upper = average + half
    }

    /// True when the interval excludes zero.
    public var excludesZero: Bool { lower > 0 || upper < 0 }

    /// The 97.5th percentile of Student's t distribution: tabulated to three decimals for 1-30
    /// degrees of freedom, and the Cornish-Fisher expansion in 1/df beyond (within 0.001 there).
    public static func studentQuantile975(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "Student's t needs at least one degree of freedom")
        let table = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
            2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
            2.045, 2.042,
        ]
        if df <= table.count { return table[df - 1] }
        let z = 1.959_963_984_540_054
        let n = Double(df)
        let z3 = z * z * z
        let z5 = z3 * z * z
        return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n)
    }
}
