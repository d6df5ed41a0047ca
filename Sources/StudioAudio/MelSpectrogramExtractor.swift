import Foundation

/// The audio frontend's parameters: an STFT and a mel filterbank on the same FFT size.
///
/// The default is the product's: 16 kHz, fftSize 1024, hop 256, 64 Slaney mel bands with Slaney
/// normalisation, power 2, so a 1.008 s clip (16,128 samples) is exactly 64 frames: a 1 x 64 x 64 image.
public struct MelFrontendConfiguration: Sendable, Equatable {
    /// The STFT.
    public let stft: STFTConfiguration
    /// The mel filterbank.
    public let mel: MelConfiguration

    /// Validates that both halves use one FFT size.
    public init(stft: STFTConfiguration, mel: MelConfiguration) throws {
        try AudioError.require(
            stft.fftSize == mel.fftSize, "mel.fftSize", mel.fftSize,
            "must equal the STFT's fftSize \(stft.fftSize)")
        self.stft = stft
        self.mel = mel
    }

    /// Builds a frontend from the usual knobs.
    public init(
        sampleRate: Int = 16_000, fftSize: Int = 1024, hopLength: Int = 256, melBandCount: Int = 64,
        minFrequency: Double = 0, maxFrequency: Double? = nil, scale: MelScale = .slaney,
        normalization: MelNormalization = .slaney
    ) throws {
        try self.init(
            stft: STFTConfiguration(fftSize: fftSize, hopLength: hopLength),
            mel: MelConfiguration(
                sampleRate: sampleRate, fftSize: fftSize, melBandCount: melBandCount,
                minFrequency: minFrequency, maxFrequency: maxFrequency, scale: scale,
                normalization: normalization))
    }

    /// Samples needed for exactly `frames` centred frames.
    public func sampleCount(forFrames frames: Int) -> Int { (frames - 1) * stft.hopLength + 1 }
}

/// Computes (log-)mel spectrograms in one fused pass: window, FFT, power and mel projection per block
/// of frames, without materialising the full power spectrogram.
public final class MelSpectrogramExtractor: Sendable {
    /// The frontend parameters.
    public let configuration: MelFrontendConfiguration
    /// The STFT.
    public let transform: ShortTimeFourierTransform
    /// The filterbank.
    public let filterbank: MelFilterbank

    /// Creates an extractor (plans the FFT on first use of its size).
    public init(_ configuration: MelFrontendConfiguration) {
        self.configuration = configuration
        transform = ShortTimeFourierTransform(configuration.stft)
        filterbank = MelFilterbank(configuration.mel)
    }

    /// The power mel spectrogram (librosa: `melspectrogram(power=2)`), frames x bands.
    public func power(_ signal: [Float]) throws -> Spectrogram {
        try extract(signal, logarithm: false)
    }

    /// `10 * log10(max(mel, 1e-10))` without a reference or a top-dB floor (librosa:
    /// `power_to_db(melspectrogram(...), top_db=None)`).
    public func decibels(_ signal: [Float]) throws -> Spectrogram {
        try extract(signal, logarithm: true)
    }

    private func extract(_ signal: [Float], logarithm: Bool) throws -> Spectrogram {
        try transform.validate(signalLength: signal.count)
        let frames = configuration.stft.frameCount(forLength: signal.count)
        let bins = transform.binCount
        let bands = filterbank.bandCount
        var out = Spectrogram(binCount: bands, frameCount: frames)
        let scratch = transform.plans.makeScratch()
        let width = MelFilterbank.blockWidth
        precondition(FFTPlans.blockSize == width, "FFT blocks and mel blocks must have the same width")
        // Per block: power laid out [bin][frame] so the projection vectorises across frames.
        let power = AlignedBuffer(count: bins * width)
        let melBlock = AlignedBuffer(count: bands * width)
        let filterbank = self.filterbank
        signal.withUnsafeBufferPointer { source in
            out.values.withUnsafeMutableBufferPointer { destination in
                transform.forEachSpectrumBlock(signal: source, frameCount: frames, scratch: scratch) {
                    first, count, real, imaginary in
                    let powerRows = power.pointer
                    // Bin by bin, 32 frames each: the 32 spectra rows stay in L1 while the writes
                    // are contiguous. Frames past the end of the signal (last block) are zero.
                    if count < width { power.zero() }
                    for bin in 0..<bins {
                        let row = powerRows + bin * width
                        for offset in 0..<count {
                            let re = real[offset * bins + bin]
                            let im = imaginary[offset * bins + bin]
                            row[offset] = re * re + im * im
                        }
                    }
                    filterbank.projectBlock(power: powerRows, into: melBlock.pointer)
                    let mel = melBlock.pointer
                    if logarithm { Decibels.powerToDecibelsInPlace(mel, count: bands * width) }
                    let target = destination.baseAddress! + first * bands
                    for offset in 0..<count {
                        for band in 0..<bands { target[offset * bands + band] = mel[band * width + offset] }
                    }
                }
            }
        }
        return out
    }
}
