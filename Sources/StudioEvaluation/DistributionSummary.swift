/// Quartiles of a sample: what a box plot shows.
public struct DistributionSummary: Sendable, Codable, Equatable {
    /// Values summarised (non-finite values are left out).
    public let count: Int
    /// The 25th, 50th and 75th percentiles (linear interpolation between order statistics, numpy's
    /// default); nil when there are no values.
    public let lowerQuartile: Double?, median: Double?, upperQuartile: Double?

    /// The quartiles of `values`.
    public init(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        count = sorted.count
        lowerQuartile = Self.percentile(sorted, 0.25)
        median = Self.percentile(sorted, 0.5)
        upperQuartile = Self.percentile(sorted, 0.75)
    }

    /// The `fraction` percentile of sorted values, interpolated linearly.
    public static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = fraction * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }
}
