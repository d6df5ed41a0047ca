import ArgumentParser
import StudioAudio
import StudioImage

extension MelScale: ExpressibleByArgument {}
extension MelNormalization: ExpressibleByArgument {}
extension Colormap: ExpressibleByArgument {}

/// The mel-spectrogram frontend's knobs, shared by every audio command.
struct FrontendOptions: ParsableArguments {
    @Option(help: "Working sample rate in Hz; input is resampled to it.")
    var sampleRate = 16_000

    @Option(help: "FFT length in samples (librosa: n_fft).")
    var fftSize = 1024

    @Option(help: "Samples between frames (librosa: hop_length).")
    var hopLength = 256

    @Option(help: "Number of mel bands (librosa: n_mels).")
    var melBands = 64

    @Option(help: "Lowest mel frequency in Hz.")
    var minFrequency: Double = 0

    @Option(help: "Highest mel frequency in Hz (default: half the sample rate).")
    var maxFrequency: Double?

    @Option(help: "Mel scale: \(MelScale.allCases.map(\.rawValue).joined(separator: ", ")).")
    var melScale: MelScale = .slaney

    @Option(help: "Mel filter normalisation: \(MelNormalization.allCases.map(\.rawValue).joined(separator: ", ")).")
    var melNorm: MelNormalization = .slaney

    /// The validated frontend; a bad value becomes a usage error naming its flag.
    func frontend() throws -> MelFrontendConfiguration {
        do {
            return try MelFrontendConfiguration(
                sampleRate: sampleRate, fftSize: fftSize, hopLength: hopLength, melBandCount: melBands,
                minFrequency: minFrequency, maxFrequency: maxFrequency, scale: melScale, normalization: melNorm)
        } catch let error as AudioError {
            throw ValidationError(error.description)
        }
    }

    mutating func validate() throws { _ = try frontend() }
}
