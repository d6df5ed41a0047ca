import Foundation

/// The one documented, invertible mapping between a power mel spectrogram and the values in
/// [-1, 1] that the generator produces.
///
/// Forward: `dB = 10 * log10(max(power, 1e-10))`, then `x = 2 * (dB - minDecibels) /
/// (maxDecibels - minDecibels) - 1`, clipped to [-1, 1]. Inverse: the same steps backwards.
/// The range is absolute, not relative to each clip's peak, so loudness survives the round trip and
/// the mapping is exactly invertible for every value inside the range.
///
/// Defaults: -100 dB to +30 dB in the power-mel units of the default frontend (16 kHz, fftSize 1024,
/// Hann window, Slaney-normalised mel), which covers a full-scale sine (about +18 dB in its band)
/// down to 16-bit dither, with margin.
public struct LogMelScaling: Sendable, Equatable {
    /// The decibel value that maps to -1; quieter values are clipped.
    public let minDecibels: Float
    /// The decibel value that maps to +1; louder values are clipped.
    public let maxDecibels: Float

    /// Creates a mapping.
    /// - Throws: `AudioError.invalidParameter` unless `minDecibels < maxDecibels`.
    public init(minDecibels: Float = -100, maxDecibels: Float = 30) throws {
        try AudioError.require(
            minDecibels < maxDecibels, "minDecibels", minDecibels,
            "must be below maxDecibels \(maxDecibels)")
        self.minDecibels = minDecibels
        self.maxDecibels = maxDecibels
    }

    /// Power mel values to [-1, 1].
    public func normalize(power: [Float]) -> [Float] {
        let scale = 2 / (maxDecibels - minDecibels)
        return power.map { value in
            let decibels = 10 * log10(max(value, 1e-10))
            return min(1, max(-1, (decibels - minDecibels) * scale - 1))
        }
    }

    /// Values in [-1, 1] back to power mel values; values outside are clipped first.
    public func denormalize(_ normalized: [Float]) -> [Float] {
        let scale = (maxDecibels - minDecibels) / 2
        return normalized.map { value in
            let clipped = value.isFinite ? min(1, max(-1, value)) : -1
            return pow(10, ((clipped + 1) * scale + minDecibels) / 10)
        }
    }
}
