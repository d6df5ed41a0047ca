import Foundation
import StudioAudio
import StudioImage
import StudioSupport

/// What `studio audio spectrogram` did.
public struct SpectrogramSummary: Sendable, Codable {
    /// The input file.
    public let input: String
    /// The PNG written.
    public let output: String
    /// The file's own sample rate and channel count.
    public let sourceSampleRate: Int
    /// Channels before the downmix.
    public let sourceChannels: Int
    /// Seconds of audio.
    public let duration: Double
    /// Frames x mel bands of the spectrogram.
    public let frames: Int
    /// Mel bands.
    public let melBands: Int
    /// The loudest mel value in dB.
    public let peakDecibels: Float
}

/// What `studio audio invert` did.
public struct InversionSummary: Sendable, Codable {
    /// The input file.
    public let input: String
    /// The WAV written.
    public let output: String
    /// Seconds of audio.
    public let duration: Double
    /// Mel frames inverted.
    public let frames: Int
    /// Fraction of log-mel values clipped by the [-1, 1] mapping.
    public let clippedFraction: Double
    /// Griffin-Lim's spectral convergence against the NNLS magnitude.
    public let spectralConvergence: Float
    /// Mel spectral convergence of the output against the input's (unclipped) mel spectrogram.
    public let melSpectralConvergence: Float
    /// Wall-clock seconds spent inverting.
    public let inversionSeconds: Double
}

/// The audio helper commands' work, callable without the command line.
public enum AudioPipelines {
    /// Reads `input`, computes its log-mel spectrogram and writes a PNG picture of it.
    public static func renderSpectrogram(
        input: String, png: String, frontend: MelFrontendConfiguration, colormap: Colormap = .magma
    ) throws -> SpectrogramSummary {
        let (raw, info) = try AudioFile.readMono(input)
        let signal = try Resampler.resample(raw, to: frontend.mel.sampleRate)
        let decibels = try MelSpectrogramExtractor(frontend).decibels(signal.samples)
        let title = URL(fileURLWithPath: input).lastPathComponent
        try SpectrogramPicture.write(decibels: decibels, frontend: frontend, to: png, colormap: colormap, title: title)
        return SpectrogramSummary(
            input: input, output: png, sourceSampleRate: info.sampleRate, sourceChannels: info.channelCount,
            duration: signal.duration, frames: decibels.frameCount, melBands: decibels.binCount,
            peakDecibels: decibels.values.max() ?? -100)
    }

    /// Audio -> log-mel -> [-1, 1] -> log-mel -> audio: the exact path a generated spectrogram takes.
    public static func invert(
        input: String, output: String, frontend: MelFrontendConfiguration, scaling: LogMelScaling,
        griffinLim: GriffinLimConfiguration, nnlsIterations: Int = 40, seed: UInt64 = 0
    ) throws -> InversionSummary {
        let (raw, _) = try AudioFile.readMono(input)
        let signal = try Resampler.resample(raw, to: frontend.mel.sampleRate)
        let extractor = MelSpectrogramExtractor(frontend)
        let mel = try extractor.power(signal.samples)
        let normalized = scaling.normalize(power: mel.values)
        let clipped = normalized.filter { abs($0) >= 1 }.count
        let restored = Spectrogram(
            binCount: mel.binCount, frameCount: mel.frameCount, values: scaling.denormalize(normalized))
        let inverter = try MelToAudio(extractor: extractor, griffinLim: griffinLim, nnlsIterations: nnlsIterations)
        var generator = SplitMix64(seed: seed)
        let start = DispatchTime.now()
        let result = try inverter.audio(fromPowerMel: restored, length: signal.samples.count, using: &generator)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        try AudioFile.write(result.signal, to: output)
        return InversionSummary(
            input: input, output: output, duration: signal.duration, frames: mel.frameCount,
            clippedFraction: Double(clipped) / Double(max(1, normalized.count)),
            spectralConvergence: result.spectralConvergence,
            melSpectralConvergence: spectralConvergence(target: mel, estimate: result.remeasuredMel),
            inversionSeconds: seconds)
    }
}
