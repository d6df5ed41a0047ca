import CFFTW
import Foundation

/// Short-time Fourier transform and its inverse on FFTW real-to-complex plans, with librosa's
/// conventions (`librosa.stft` / `librosa.istft`).
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
    ///   centring, or too short to reflect.
    public func forward(_ signal: [Float]) throws -> ComplexSpectrogram {
        try validate(signalLength: signal.count)
        let frames = configuration.frameCount(forLength: signal.count)
        let bins = binCount
        var out = [Float](repeating: 0, count: 2 * bins * frames)
        let scratch = plans.makeScratch()
        signal.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                forEachSpectrumBlock(signal: source, frameCount: frames, scratch: scratch) {
                    first, count, spectra in
                    (destination.baseAddress! + 2 * bins * first).update(from: spectra, count: 2 * bins * count)
                }
            }
        }
        return ComplexSpectrogram(binCount: bins, frameCount: frames, values: out)
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
        let scratch = plans.makeScratch()
        spectrogram.values.withUnsafeBufferPointer { spectra in
            padded.withUnsafeMutableBufferPointer { output in
                overlapAdd(spectra: spectra.baseAddress!, frameCount: frames, output: output.baseAddress!, scratch: scratch)
            }
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

    // MARK: - Building blocks shared with Griffin-Lim and the mel frontend

    /// Checks that a signal of this length can be framed with this configuration.
    func validate(signalLength: Int) throws {
        try AudioError.require(signalLength > 0, "signal length", signalLength, "must be > 0")
        if !configuration.center {
            try AudioError.require(
                signalLength >= configuration.fftSize, "signal length", signalLength,
                "is shorter than fftSize \(configuration.fftSize); use center padding or a smaller fftSize")
        }
    }

    /// Transforms frames block by block and hands each block of spectra to `body`
    /// (`first` frame index, frame `count`, interleaved spectra with stride `2 * binCount`).
    ///
    /// With `output`, FFTW writes every block straight into it (block `b` at frame `32 b`); it must
    /// hold whole blocks: `2 * binCount * 32 * ceil(frameCount / 32)` floats.
    func forEachSpectrumBlock(
        signal: UnsafeBufferPointer<Float>, frameCount: Int,
        scratch: (real: AlignedBuffer, complex: AlignedBuffer), output: AlignedBuffer? = nil,
        _ body: (_ first: Int, _ count: Int, _ spectra: UnsafePointer<Float>) -> Void
    ) {
        let fftSize = configuration.fftSize
        let block = FFTPlans.blockSize
        precondition(
            output.map { $0.count >= 2 * binCount * block * ((frameCount + block - 1) / block) } ?? true,
            "output buffer must hold whole FFT blocks")
        window.withUnsafeBufferPointer { window in
            var first = 0
            while first < frameCount {
                let count = min(block, frameCount - first)
                for offset in 0..<count {
                    loadFrame(
                        first + offset, signal: signal, window: window.baseAddress!,
                        into: scratch.real.pointer + offset * fftSize)
                }
                let spectra = output.map { $0.pointer + 2 * binCount * first } ?? scratch.complex.pointer
                fftwf_execute_dft_r2c(
                    plans.forward, scratch.real.pointer,
                    UnsafeMutableRawPointer(spectra).assumingMemoryBound(to: fftwf_complex.self))
                body(first, count, spectra)
                first += count
            }
        }
    }

    /// Writes frame `frame` of the (virtually padded) signal, multiplied by the window, to `frame`.
    @inline(__always)
    private func loadFrame(
        _ frame: Int, signal: UnsafeBufferPointer<Float>, window: UnsafePointer<Float>,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let fftSize = configuration.fftSize
        let length = signal.count
        let start = frame * configuration.hopLength - (configuration.center ? fftSize / 2 : 0)
        let source = signal.baseAddress!
        if start >= 0 && start + fftSize <= length {
            // Interior frame: a straight multiply the compiler vectorises (no index arithmetic that
            // could overflow inside the loop).
            let frame = source + start
            for index in 0..<fftSize { destination[index] = frame[index] * window[index] }
            return
        }
        for index in 0..<fftSize {
            let position = start + index
            let sample: Float
            if position >= 0 && position < length {
                sample = source[position]
            } else if configuration.padMode == .constant || length == 1 {
                sample = configuration.padMode == .constant ? 0 : source[0]
            } else {
                sample = source[Self.reflect(position, length: length)]
            }
            destination[index] = sample * window[index]
        }
    }

    /// numpy's `reflect` padding index (the edge sample is not repeated), repeated as often as needed.
    static func reflect(_ position: Int, length: Int) -> Int {
        let period = 2 * (length - 1)
        var folded = position % period
        if folded < 0 { folded += period }
        return folded < length ? folded : period - folded
    }

    /// Weighted overlap-add of the inverse FFTs of `frameCount` frames into `output`
    /// (`fftSize + hopLength * (frameCount - 1)` samples, overwritten).
    func overlapAdd(
        spectra: UnsafePointer<Float>, frameCount: Int, output: UnsafeMutablePointer<Float>,
        scratch: (real: AlignedBuffer, complex: AlignedBuffer)
    ) {
        let fftSize = configuration.fftSize
        let hop = configuration.hopLength
        let bins = binCount
        let block = FFTPlans.blockSize
        output.update(repeating: 0, count: fftSize + hop * (frameCount - 1))
        synthesisWindow.withUnsafeBufferPointer { window in
            let window = window.baseAddress!
            var first = 0
            while first < frameCount {
                let count = min(block, frameCount - first)
                // c2r destroys its input, so it works on a copy.
                scratch.complex.pointer.update(from: spectra + 2 * bins * first, count: 2 * bins * count)
                fftwf_execute_dft_c2r(plans.inverse, scratch.complex.complexPointer, scratch.real.pointer)
                for offset in 0..<count {
                    let frame = scratch.real.pointer + offset * fftSize
                    let target = output + (first + offset) * hop
                    for index in 0..<fftSize { target[index] += frame[index] * window[index] }
                }
                first += count
            }
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
}
