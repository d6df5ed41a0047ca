import Foundation

/// Judge-free acoustic measures of one clip: what a listener's ear checks before any learned
/// opinion. Pitch and its movement, how harmonic or noisy the sound is, and how its loudness moves.
///
/// Every measure is fixed signal processing (YIN, an FFT, frame energies): no model trained on any
/// corpus shapes it, so it cannot share a classifier's blind spots. A constant harmonic drone has
/// the right pitch for its class but almost no F0 movement and almost no envelope modulation.
public struct ClipAcoustics: Sendable, Codable, Equatable {
    /// Median F0 of the voiced frames in Hz; nil when fewer than 5 frames are voiced.
    public var medianF0: Float?
    /// Voiced frames over frames examined (10 ms frames), 0...1.
    public var voicedShare: Float
    /// F0 movement within the clip: the standard deviation, in semitones, of the voiced frames' F0
    /// around their median (deviations clamped to one octave, so a single octave error counts as
    /// one octave); nil when fewer than 5 frames are voiced.
    public var f0Movement: Float?
    /// Spectral flatness (geometric over arithmetic mean of the power spectrum, 0...1), averaged
    /// over frames within 40 dB of the loudest: near 0 for a clean harmonic sound, near 1 for white
    /// noise.
    public var spectralFlatness: Float
    /// Harmonic-to-noise ratio in dB, `10 log10((1 - a) / a)` of YIN's aperiodicity `a`, the median
    /// over analysed frames, clamped to -30...30 dB; nil for a silent clip.
    public var harmonicToNoise: Float?
    /// The loudness envelope's modulation: standard deviation over mean of the 30 ms RMS envelope
    /// (10 ms hop). Syllables make speech's envelope rise and fall; a drone's stays flat.
    public var envelopeModulation: Float
    /// Share of 10 ms frames more than 40 dB below the clip's loudest (pauses, digital silence).
    public var silenceShare: Float

    /// Names of `speechLikenessFeatures`, in order.
    public static let speechLikenessFeatureNames = [
        "voiced share", "F0 movement (semitones)", "log10 spectral flatness", "harmonic-to-noise (dB)",
        "envelope modulation", "silence share",
    ]

    /// The clip as a vector of speech-likeness features (pitch itself left out: it says which
    /// voice, not whether it is speech). A clip without enough voiced frames has F0 movement 0; a
    /// silent one has the lowest harmonic-to-noise ratio.
    public var speechLikenessFeatures: [Float] {
        [
            voicedShare, f0Movement ?? 0, log10(max(spectralFlatness, 1e-6)), harmonicToNoise ?? -30,
            envelopeModulation, silenceShare,
        ]
    }

    /// Measures a clip of `PitchEstimator.sampleRate` (16 kHz) audio.
    /// - Throws: `AudioError.invalidParameter` for another sample rate or a clip shorter than one
    ///   pitch frame (about 50 ms).
    public static func measure(_ samples: [Float], sampleRate: Int) throws -> ClipAcoustics {
        try AudioError.require(
            sampleRate == PitchEstimator.sampleRate, "sampleRate", sampleRate,
            "must be \(PitchEstimator.sampleRate) Hz for the pitch measures; resample the clip first")
        let frames = PitchEstimator.track(samples)
        try AudioError.require(
            !frames.isEmpty, "clip length", samples.count, "is shorter than one pitch frame (at least 800 samples)")
        let (medianF0, voicedShare) = PitchEstimator.summary(frames)
        var movement: Float?
        if let medianF0 {
            let semitones = frames.compactMap(\.f0).map { min(max(12 * log2($0 / medianF0), -12), 12) }
            let mean = semitones.reduce(0, +) / Float(semitones.count)
            movement = (semitones.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(semitones.count)).squareRoot()
        }
        let decibels = frames.compactMap(\.aperiodicity).map { a -> Float in
            let clamped = min(max(a, 1e-3), 1 - 1e-3)
            return min(max(10 * log10((1 - clamped) / clamped), -30), 30)
        }.sorted()
        let envelope = rmsEnvelope(samples)
        let loudest = envelope.max() ?? 0
        let mean = envelope.reduce(0, +) / Float(max(envelope.count, 1))
        let deviation =
            (envelope.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(envelope.count, 1))).squareRoot()
        // 40 dB in amplitude is a factor of 100.
        let silent = envelope.filter { $0 <= loudest * 0.01 }.count
        return ClipAcoustics(
            medianF0: medianF0, voicedShare: voicedShare, f0Movement: movement,
            spectralFlatness: try flatness(samples),
            harmonicToNoise: decibels.isEmpty ? nil : decibels[decibels.count / 2],
            envelopeModulation: mean > 0 ? deviation / mean : 0,
            silenceShare: envelope.isEmpty ? 0 : Float(silent) / Float(envelope.count))
    }

    /// RMS of 30 ms windows every 10 ms.
    static func rmsEnvelope(_ samples: [Float]) -> [Float] {
        let window = 480
        guard samples.count >= window else { return [] }
        return stride(from: 0, through: samples.count - window, by: PitchEstimator.hop).map { start in
            var sum: Float = 0
            for index in start..<(start + window) { sum += samples[index] * samples[index] }
            return (sum / Float(window)).squareRoot()
        }
    }

    /// Mean spectral flatness of the frames within 40 dB of the loudest (512-point FFT, 10 ms hop,
    /// DC bin left out); 0 for a silent clip.
    static func flatness(_ samples: [Float]) throws -> Float {
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 512, hopLength: PitchEstimator.hop))
        let power = try transform.spectrogram(samples)
        let bins = power.binCount
        var energies = [Float](repeating: 0, count: power.frameCount)
        for frame in 0..<power.frameCount {
            for bin in 1..<bins { energies[frame] += power.values[frame * bins + bin] }
        }
        let loudest = energies.max() ?? 0
        guard loudest > 0 else { return 0 }
        var total: Float = 0
        var counted = 0
        for frame in 0..<power.frameCount where energies[frame] > loudest * 1e-4 {
            var logSum: Double = 0
            for bin in 1..<bins { logSum += log(Double(max(power.values[frame * bins + bin], 1e-20))) }
            let geometric = exp(logSum / Double(bins - 1))
            let arithmetic = Double(energies[frame]) / Double(bins - 1)
            total += Float(geometric / arithmetic)
            counted += 1
        }
        return counted > 0 ? total / Float(counted) : 0
    }
}
