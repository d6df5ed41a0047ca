import Foundation

/// Controlled changes to a clip, for experiments that plant a feature and look for it again:
/// an added tone (an audible marker) and a band limit (a telephone line).
public enum AudioEffect: Sendable, Codable, Equatable, CustomStringConvertible {
    /// A sine of `frequency` Hz and peak `amplitude` (full scale 1), from `start` seconds for
    /// `duration` seconds (nil: to the end), with 10 ms raised-cosine fades.
    case tone(frequency: Double, amplitude: Float, start: Double, duration: Double?)
    /// Everything outside `low`...`high` Hz removed (a brick-wall band pass in the STFT domain).
    case bandPass(low: Double, high: Double)

    /// A short description for reports.
    public var description: String {
        switch self {
        case .tone(let frequency, let amplitude, let start, let duration):
            let level = 20 * log10(Double(max(amplitude, 1e-9)))
            let span = duration.map { String(format: "%.2f s from %.2f s", $0, start) } ?? "the whole clip"
            return String(format: "a %.0f Hz tone at %.0f dBFS peak over %@", frequency, level, span)
        case .bandPass(let low, let high):
            return String(format: "band-limited to %.0f-%.0f Hz (telephone line)", low, high)
        }
    }

    /// `samples` with the effect applied (same length).
    /// - Throws: `AudioError.invalidParameter` for a frequency at or above Nyquist, a non-positive
    ///   amplitude or duration, or an empty band.
    public func apply(to samples: [Float], sampleRate: Int) throws -> [Float] {
        let nyquist = Double(sampleRate) / 2
        switch self {
        case .tone(let frequency, let amplitude, let start, let duration):
            try AudioError.require(
                frequency > 0 && frequency < nyquist, "frequency", frequency, "must lie in (0, \(nyquist)) Hz")
            try AudioError.require(amplitude > 0, "amplitude", amplitude, "must be > 0")
            try AudioError.require(start >= 0, "start", start, "must be >= 0")
            if let duration { try AudioError.require(duration > 0, "duration", duration, "must be > 0") }
            return Self.addTone(
                samples, sampleRate: sampleRate, frequency: frequency, amplitude: amplitude, start: start,
                duration: duration)
        case .bandPass(let low, let high):
            try AudioError.require(low >= 0 && low < high, "low", low, "must be >= 0 and below high (\(high) Hz)")
            try AudioError.require(high <= nyquist, "high", high, "must not exceed Nyquist (\(nyquist) Hz)")
            return try Self.bandPass(samples, sampleRate: sampleRate, low: low, high: high)
        }
    }

    static func addTone(
        _ samples: [Float], sampleRate: Int, frequency: Double, amplitude: Float, start: Double, duration: Double?
    ) -> [Float] {
        var output = samples
        let rate = Double(sampleRate)
        let first = min(samples.count, Int((start * rate).rounded()))
        let last = duration.map { min(samples.count, first + Int(($0 * rate).rounded())) } ?? samples.count
        let fade = max(1, Int(0.01 * rate))
        let length = last - first
        for index in first..<last {
            let offset = index - first
            let edge = min(offset, length - 1 - offset)
            let gain = edge >= fade ? 1 : Float(0.5 - 0.5 * cos(Double.pi * Double(edge) / Double(fade)))
            output[index] += amplitude * gain * Float(sin(2 * Double.pi * frequency * Double(offset) / rate))
        }
        return output
    }

    static func bandPass(_ samples: [Float], sampleRate: Int, low: Double, high: Double) throws -> [Float] {
        // Hann frames at 75% overlap reconstruct exactly; zeroing bins is a brick wall per frame.
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 1024, hopLength: 256))
        var spectrum = try transform.forward(samples)
        let binWidth = Double(sampleRate) / 1024
        for frame in 0..<spectrum.frameCount {
            for bin in 0..<spectrum.binCount {
                let frequency = Double(bin) * binWidth
                if frequency < low || frequency > high {
                    let index = 2 * (frame * spectrum.binCount + bin)
                    spectrum.values[index] = 0
                    spectrum.values[index + 1] = 0
                }
            }
        }
        return try transform.inverse(spectrum, length: samples.count)
    }
}
