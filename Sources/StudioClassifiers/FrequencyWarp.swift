import StudioSupport

/// Vocal tract length perturbation (Jaitly and Hinton, ICML 2013 workshop) on the rows of a
/// log-mel image: each training clip's frequency axis is scaled by a random factor alpha in
/// [1 - maximum, 1 + maximum], as if a longer or shorter vocal tract had spoken it.
///
/// The warp is VTLP's piecewise-linear map: source frequencies up to `boundary * min(alpha, 1) / alpha`
/// are multiplied by alpha, and the rest is stretched linearly so that the Nyquist frequency stays
/// put, so nothing is pushed off the top. A warped band takes the value of the source frequency
/// that maps onto its centre, interpolated linearly between the two nearest source bands (in log
/// units); sources beyond the lowest or highest band centre take that band's value.
public struct FrequencyWarp: Sendable, Equatable {
    /// Centre frequency of each row in Hz, lowest first (row `b` is mel band `b`).
    public let bandFrequencies: [Float]
    /// Largest relative change of the frequency scale (VTLP: 0.1).
    public let maximum: Float
    /// The Nyquist frequency in Hz, which the warp keeps fixed.
    public let nyquist: Float
    /// Where the linear part of the warp ends before the stretch to Nyquist (VTLP: 4.8 kHz at
    /// 16 kHz sampling, 60% of Nyquist).
    public let boundary: Float

    /// A warp of `bandFrequencies` (ascending, in Hz, below `nyquist`) by up to `maximum` (in (0, 0.5)).
    public init(bandFrequencies: [Float], nyquist: Float, maximum: Float = 0.1, boundary: Float? = nil) {
        precondition(bandFrequencies.count >= 2, "FrequencyWarp: needs at least two bands")
        precondition(
            zip(bandFrequencies, bandFrequencies.dropFirst()).allSatisfy { $0 < $1 }, "FrequencyWarp: bands must ascend"
        )
        precondition(maximum > 0 && maximum < 0.5, "FrequencyWarp: maximum must lie in (0, 0.5), got \(maximum)")
        precondition(bandFrequencies.last! < nyquist, "FrequencyWarp: bands must lie below the Nyquist frequency")
        self.bandFrequencies = bandFrequencies
        self.nyquist = nyquist
        self.maximum = maximum
        self.boundary = boundary ?? 0.6 * nyquist
    }

    /// A factor alpha drawn uniformly from [1 - maximum, 1 + maximum].
    public func drawFactor(using random: inout SplitMix64) -> Float {
        1 + (2 * random.nextUnitFloat() - 1) * maximum
    }

    /// The source frequency whose warped image is `frequency` (the inverse of VTLP's map).
    public func sourceFrequency(of frequency: Float, factor alpha: Float) -> Float {
        let knee = boundary * min(alpha, 1)
        if frequency <= knee { return frequency / alpha }
        // Above the knee the map runs linearly from (knee / alpha, knee) to (nyquist, nyquist).
        let sourceKnee = knee / alpha
        return nyquist - (nyquist - frequency) * (nyquist - sourceKnee) / (nyquist - knee)
    }

    /// For every row, the source row below and the weight of the row above it: warped row `b` is
    /// `(1 - weight) * row[lower] + weight * row[min(lower + 1, last)]`.
    public func sourceRows(factor alpha: Float) -> [(lower: Int, weight: Float)] {
        let last = bandFrequencies.count - 1
        return bandFrequencies.map { centre in
            let source = sourceFrequency(of: centre, factor: alpha)
            if source <= bandFrequencies[0] { return (0, 0) }
            if source >= bandFrequencies[last] { return (last, 0) }
            var upper = 1
            while bandFrequencies[upper] <= source { upper += 1 }
            let low = bandFrequencies[upper - 1]
            return (upper - 1, (source - low) / (bandFrequencies[upper] - low))
        }
    }
}
