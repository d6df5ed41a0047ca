import StudioSupport

/// The percentile bootstrap (Efron 1979) of a statistic of two sets of feature rows: both sets
/// resampled with replacement, the statistic recomputed, the 2.5th and 97.5th percentiles kept.
public enum Bootstrap {
    /// The 95% percentile interval `[lower, upper]` of `statistic(a, b)` over `resamples` draws.
    public static func percentileInterval(
        _ a: [Float], _ b: [Float], width: Int, resamples: Int, using random: inout SplitMix64,
        statistic: ([Float], [Float]) throws -> Double
    ) rethrows -> [Double] {
        precondition(resamples > 0, "Bootstrap: at least one resample")
        var values = [Double]()
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            values.append(
                try statistic(resample(a, width: width, using: &random), resample(b, width: width, using: &random)))
        }
        values.sort()
        return [values[Int(Double(values.count - 1) * 0.025)], values[Int(Double(values.count - 1) * 0.975)]]
    }

    /// As many rows as `rows` holds, drawn from it with replacement.
    public static func resample(_ rows: [Float], width: Int, using random: inout SplitMix64) -> [Float] {
        let count = rows.count / width
        var out = [Float]()
        out.reserveCapacity(rows.count)
        for _ in 0..<count {
            let row = Int(random.next() % UInt64(count))
            out += rows[(row * width)..<((row + 1) * width)]
        }
        return out
    }
}
