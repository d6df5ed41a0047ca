import Foundation

/// Short-time Fourier transform and its inverse on FFTW, with librosa's conventions
/// (`librosa.stft` / `librosa.istft`).
///
/// Frames are transformed in blocks of 32 with one batched plan, shared by every transform of the
/// same size and made once. Instances are immutable and safe to use from several threads at once:
/// each call brings its own aligned scratch buffers.
public final class ShortTimeFourierTransform: Sendable {
    /// The validated parameters.
    public let configuration: STFTConfiguration
    /// The analysis window, `fftSize` long.
    let window: [Float]
    /// The synthesis window divided by `fftSize` (FFTW's inverse is unnormalised).
    let synthesisWindow: [Float]
    let plans: FFTPlans

    /// Creates a transform; plans it on first use of this FFT size.
    public init(_ configuration: STFTConfiguration) {
        self.configuration = configuration
        window = configuration.window()
        let scale = 1 / Float(configuration.fftSize)
        synthesisWindow = window.map { $0 * scale }
        plans = FFTPlans.plans(fftSize: configuration.fftSize)
    }

    /// Number of frequency bins per frame.
    public var binCount: Int { configuration.binCount }

    /// The complex STFT of `signal`.
    /// - Returns: `frameCount(forLength: signal.count)` frames of `1 + fftSize / 2` bins.
    /// - Throws: `AudioError.invalidParameter` when the signal is shorter than one frame without
    ///   centring.
    public func forward(_ signal: [Float]) throws -> ComplexSpectrogram {
        try validate(signalLength: signal.count)
        let frames = configuration.frameCount(forLength: signal.count)
        let spectra = SplitSpectra(binCount: binCount, frameCapacity: frames)
        signal.withUnsafeBufferPointer { source in
            forEachSpectrumBlock(signal: source, frameCount: frames, scratch: plans.makeScratch(), output: spectra) {
                _, _, _, _ in
            }
        }
        return spectra.interleaved(frameCount: frames)
    }

    /// The power (`power: 2`) or magnitude (`power: 1`) spectrogram of `signal`.
    public func spectrogram(_ signal: [Float], power: Float = 2) throws -> Spectrogram {
        try forward(signal).magnitude(power: power)
    }

    /// The inverse STFT by weighted overlap-add, normalised by the window's sum of squares
    /// (librosa: `istft`).
    /// - Parameters:
    ///   - spectrogram: Frames of `1 + fftSize / 2` bins.
    ///   - length: Output length in samples; the signal is cut or zero-padded to it. Without it the
    ///     output has `hopLength * (frames - 1)` samples when centred.
    public func inverse(_ spectrogram: ComplexSpectrogram, length: Int? = nil) throws -> [Float] {
        try AudioError.require(
            spectrogram.binCount == binCount, "binCount", spectrogram.binCount,
            "does not match fftSize \(configuration.fftSize) (expected \(binCount) bins)")
        if let length { try AudioError.require(length >= 0, "length", length, "must be >= 0") }
        let fftSize = configuration.fftSize
        let hop = configuration.hopLength
        var frames = spectrogram.frameCount
        if let length {
            let padded = configuration.center ? length + 2 * (fftSize / 2) : length
            frames = min(frames, (padded + hop - 1) / hop)
        }
        guard frames > 0 else { return [Float](repeating: 0, count: length ?? 0) }
        let paddedLength = fftSize + hop * (frames - 1)
        var padded = [Float](repeating: 0, count: paddedLength)
        let spectra = SplitSpectra(spectrogram)
        padded.withUnsafeMutableBufferPointer { output in
            overlapAdd(spectra: spectra, frameCount: frames, output: output.baseAddress!, scratch: plans.makeScratch())
        }
        let inverseEnvelope = self.inverseEnvelope(frameCount: frames)
        for index in 0..<paddedLength { padded[index] *= inverseEnvelope[index] }
        let start = configuration.center ? fftSize / 2 : 0
        if let length {
            var out = [Float](repeating: 0, count: length)
            let available = max(0, min(length, paddedLength - start))
            for index in 0..<available { out[index] = padded[start + index] }
            return out
        }
        let end = configuration.center ? paddedLength - fftSize / 2 : paddedLength
        return end > start ? Array(padded[start..<end]) : []
    }

    /// Checks that a signal of this length can be framed with this configuration.
    func validate(signalLength: Int) throws {
        try AudioError.require(signalLength > 0, "signal length", signalLength, "must be > 0")
        if !configuration.center {
            try AudioError.require(
                signalLength >= configuration.fftSize, "signal length", signalLength,
                "is shorter than fftSize \(configuration.fftSize); use center padding or a smaller fftSize")
        }
    }

    /// `1 / sum of squared windows` at each padded sample, or 1 where that sum is negligible
    /// (librosa: `window_sumsquare` with the `tiny` threshold).
    func inverseEnvelope(frameCount: Int) -> [Float] {
        let fftSize = configuration.fftSize
        let hop = configuration.hopLength
        let length = fftSize + hop * (frameCount - 1)
        var envelope = [Float](repeating: 0, count: length)
        for frame in 0..<frameCount {
            let start = frame * hop
            for index in 0..<fftSize { envelope[start + index] += window[index] * window[index] }
        }
        for index in 0..<length {
            envelope[index] = envelope[index] > Float.leastNormalMagnitude ? 1 / envelope[index] : 1
        }
        return envelope
    }

    /// numpy's `reflect` padding index (the edge sample is not repeated), repeated as often as needed.
    static func reflect(_ position: Int, length: Int) -> Int {
        let period = 2 * (length - 1)
        var folded = position % period
        if folded < 0 { folded += period }
        return folded < length ? folded : period - folded
    }
}
