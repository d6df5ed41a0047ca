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

extension Decibels {
    /// `10 * log10(max(x, floor))` in place, vectorisable (libm's `log10f` is a call per value and
    /// was a tenth of the log-mel frontend's time).
    ///
    /// Splits `x = 2^e * m` with `m` in [sqrt(1/2), sqrt(2)), then `ln m = 2 atanh(s)` with
    /// `s = (m - 1) / (m + 1)`, `|s| <= 0.172`, summed to `s^9 / 9`: the truncation error is below
    /// `2 * 0.172^11 / 11 = 7e-10`, far under float rounding. `floor` must be a positive normal float.
    static func powerToDecibelsInPlace(_ values: UnsafeMutablePointer<Float>, count: Int, floor: Float = 1e-10) {
        let decibelsPerOctave: Float = 10 * 0.301_029_995_663_981_2  // 10 * log10(2)
        let decibelsPerNeper: Float = 10 * 0.434_294_481_903_251_8  // 10 * log10(e)
        let rootTwo: Float = 1.414_213_562_373_095
        for index in 0..<count {
            let x = max(values[index], floor)
            let bits = x.bitPattern
            var exponent = Int32(bitPattern: (bits >> 23) & 0xFF) &- 127
            var mantissa = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
            let high = mantissa > rootTwo
            mantissa = high ? mantissa * 0.5 : mantissa
            exponent = high ? exponent &+ 1 : exponent
            let s = (mantissa - 1) / (mantissa + 1)
            let s2 = s * s
            let series = s * (2 + s2 * (2.0 / 3 + s2 * (2.0 / 5 + s2 * (2.0 / 7 + s2 * (2.0 / 9)))))
            values[index] = Float(exponent) * decibelsPerOctave + series * decibelsPerNeper
        }
    }
}
