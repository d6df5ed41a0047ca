import Foundation

/// Conversions between power or amplitude and decibels, as librosa's `power_to_db`,
/// `amplitude_to_db` and `db_to_power`.
public enum Decibels {
    /// `10 * log10(max(amin, S)) - 10 * log10(max(amin, ref))`, then floored at `max - topDB`.
    /// - Parameters:
    ///   - power: Power values (for example a power mel spectrogram).
    ///   - reference: The value that maps to 0 dB (librosa: `ref=1.0`).
    ///   - amin: Smallest value before the logarithm (librosa: `amin=1e-10`), > 0.
    ///   - topDB: Dynamic range kept below the maximum (librosa: `top_db=80`); `nil` keeps everything.
    public static func fromPower(
        _ power: [Float], reference: Float = 1, amin: Float = 1e-10, topDB: Float? = 80
    ) throws -> [Float] {
        try AudioError.require(amin > 0, "amin", amin, "must be strictly positive")
        if let topDB { try AudioError.require(topDB >= 0, "topDB", topDB, "must be non-negative") }
        let offset = 10 * log10(max(amin, abs(reference)))
        var out = power.map { 10 * log10(max(amin, $0)) - offset }
        if let topDB, let peak = out.max() {
            let floor = peak - topDB
            for index in out.indices where out[index] < floor { out[index] = floor }
        }
        return out
    }

    /// `amplitude_to_db`: `fromPower` of the squared amplitudes with `amin` and `reference` squared.
    public static func fromAmplitude(
        _ amplitude: [Float], reference: Float = 1, amin: Float = 1e-5, topDB: Float? = 80
    ) throws -> [Float] {
        try fromPower(amplitude.map { $0 * $0 }, reference: reference * reference, amin: amin * amin, topDB: topDB)
    }

    /// `db_to_power`: `reference * 10^(dB / 10)`.
    public static func toPower(_ decibels: [Float], reference: Float = 1) -> [Float] {
        decibels.map { reference * pow(10, $0 / 10) }
    }
}
