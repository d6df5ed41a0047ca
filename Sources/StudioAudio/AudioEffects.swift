import Foundation
import StudioSupport

/// Controlled changes to a clip, for experiments that plant a feature and look for it again:
/// an added tone or band of noise (audible markers) and a band limit (a telephone line).
public enum AudioEffect: Sendable, Codable, Equatable, CustomStringConvertible {
    /// A sine of `frequency` Hz and peak `amplitude` (full scale 1), from `start` seconds for
    /// `duration` seconds (nil: to the end), with 10 ms raised-cosine fades.
    case tone(frequency: Double, amplitude: Float, start: Double, duration: Double?)
    /// Everything outside `low`...`high` Hz removed (a brick-wall band pass in the STFT domain).
    case bandPass(low: Double, high: Double)
    /// Noise band-limited to `low`...`high` Hz at RMS level `amplitude` (full scale 1), added over
    /// the whole clip. The noise is frozen (seed 0): every clip gets the same waveform, so the
    /// marker is one fixed sound, like the tone.
    case noiseBand(low: Double, high: Double, amplitude: Float)

    /// A short description for reports.
    public var description: String {
        switch self {
        case .tone(let frequency, let amplitude, let start, let duration):
            let level = 20 * log10(Double(max(amplitude, 1e-9)))
            let span = duration.map { String(format: "%.2f s from %.2f s", $0, start) } ?? "the whole clip"
            return String(format: "a %.0f Hz tone at %.0f dBFS peak over %@", frequency, level, span)
        case .bandPass(let low, let high):
            return String(format: "band-limited to %.0f-%.0f Hz (telephone line)", low, high)
        case .noiseBand(let low, let high, let amplitude):
            let level = 20 * log10(Double(max(amplitude, 1e-9)))
            return String(
                format: "a band of noise at %.0f-%.0f Hz, %.0f dBFS RMS, over the whole clip", low, high, level)
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
            try Self.checkBand(low: low, high: high, nyquist: nyquist)
            return try Self.bandPass(samples, sampleRate: sampleRate, low: low, high: high)
        case .noiseBand(let low, let high, let amplitude):
            try Self.checkBand(low: low, high: high, nyquist: nyquist)
            try AudioError.require(amplitude > 0, "amplitude", amplitude, "must be > 0")
            let noise = try Self.frozenNoise(
                count: samples.count, sampleRate: sampleRate, low: low, high: high, rms: amplitude)
            return zip(samples, noise).map { $0 + $1 }
        }
    }

    static func checkBand(low: Double, high: Double, nyquist: Double) throws {
        try AudioError.require(low >= 0 && low < high, "low", low, "must be >= 0 and below high (\(high) Hz)")
        try AudioError.require(high <= nyquist, "high", high, "must not exceed Nyquist (\(nyquist) Hz)")
    }

    /// Uniform white noise (seed 0) band-passed to `low`...`high` Hz and scaled to RMS `rms`.
    static func frozenNoise(count: Int, sampleRate: Int, low: Double, high: Double, rms: Float) throws -> [Float] {
        guard count > 0 else { return [] }
        var random = SplitMix64(seed: 0)
        let white = (0..<count).map { _ in 2 * random.nextUnitFloat() - 1 }
        let band = try bandPass(white, sampleRate: sampleRate, low: low, high: high)
        let level = (band.reduce(Float(0)) { $0 + $1 * $1 } / Float(count)).squareRoot()
        guard level > 0 else { return band }
        return band.map { $0 * rms / level }
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
