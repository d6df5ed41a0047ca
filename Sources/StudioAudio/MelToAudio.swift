/// Turns a power mel spectrogram back into audio: NNLS to a linear magnitude, then fast Griffin-Lim
/// (librosa: `feature.inverse.mel_to_audio`). This is the path every generated spectrogram takes.
public struct MelToAudio: Sendable {
    /// The frontend that defines the mel spectrogram.
    public let extractor: MelSpectrogramExtractor
    /// The mel-to-linear solver.
    public let inversion: MelInversion
    /// The phase reconstruction.
    public let griffinLim: GriffinLim

    /// Prepares an inverter for one frontend.
    public init(
        extractor: MelSpectrogramExtractor, griffinLim configuration: GriffinLimConfiguration,
        nnlsIterations: Int = 40
    ) throws {
        self.extractor = extractor
        inversion = try MelInversion(filterbank: extractor.filterbank, iterations: nnlsIterations)
        griffinLim = GriffinLim(transform: extractor.transform, configuration: configuration)
    }

    /// The reconstructed audio and two quality measures.
    public struct Result: Sendable {
        /// Samples at the frontend's sample rate.
        public let signal: AudioSignal
        /// Griffin-Lim's spectral convergence against the NNLS magnitude.
        public let spectralConvergence: Float
        /// `||M - mel(signal)||_F / ||M||_F` against the input power mel `M`.
        public let melSpectralConvergence: Float
        /// `mel(signal)`: the power mel spectrogram of the output, for other comparisons.
        public let remeasuredMel: Spectrogram
    }

    /// Inverts a power mel spectrogram (frames x bands).
    /// - Parameter length: Output samples (default: `hopLength * (frames - 1)`).
    public func audio(
        fromPowerMel mel: Spectrogram, length: Int? = nil, using generator: inout some RandomNumberGenerator
    ) throws -> Result {
        let magnitude = try inversion.magnitude(fromMel: mel, power: 2)
        let reconstruction = try griffinLim.reconstruct(magnitude: magnitude, length: length, using: &generator)
        let remeasured = try extractor.power(reconstruction.samples)
        return Result(
            signal: AudioSignal(samples: reconstruction.samples, sampleRate: extractor.configuration.mel.sampleRate),
            spectralConvergence: reconstruction.spectralConvergence,
            melSpectralConvergence: spectralConvergence(target: mel, estimate: remeasured), remeasuredMel: remeasured)
    }
}
