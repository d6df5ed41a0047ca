import Foundation

// The block kernels behind the STFT, Griffin-Lim and the mel frontend. Legend: n = fftSize,
// K = binCount = n / 2 + 1, B = 32 frames per block, P = B / 2 frame pairs per complex FFT call.
// Spectra are split format, frame-major: real[frame * K + bin], imaginary[frame * K + bin].
extension ShortTimeFourierTransform {
    /// Transforms frames block by block into `output` (frame `f` at `f * K`) and hands each block
    /// to `body` (`first` frame, frame `count`, real and imaginary parts of frame `first`).
    func forEachSpectrumBlock(
        signal: UnsafeBufferPointer<Float>, frameCount: Int, scratch: FFTScratch, output: SplitSpectra? = nil,
        _ body: (_ first: Int, _ count: Int, _ real: UnsafePointer<Float>, _ imaginary: UnsafePointer<Float>) -> Void
    ) {
        let fftSize = configuration.fftSize
        let block = FFTPlans.blockSize
        let bins = binCount
        precondition(
            output.map { $0.real.count >= bins * block * ((frameCount + block - 1) / block) } ?? true,
            "output must hold whole FFT blocks")
        window.withUnsafeBufferPointer { window in
            var first = 0
            while first < frameCount {
                let count = min(block, frameCount - first)
                let pairs = (count + 1) / 2
                // Frame 2p is the real part of transform p, frame 2p + 1 its imaginary part.
                for offset in 0..<(2 * pairs) {
                    let parts = offset % 2 == 0 ? scratch.timeReal : scratch.timeImaginary
                    let destination = parts.pointer + fftSize * (offset / 2)
                    if offset < count {
                        loadFrame(first + offset, signal: signal, window: window.baseAddress!, into: destination)
                    } else {
                        destination.update(repeating: 0, count: fftSize)
                    }
                }
                plans.forward(scratch)
                let real = (output?.real ?? scratch.spectra.real).pointer + (output == nil ? 0 : bins * first)
                let imaginary =
                    (output?.imaginary ?? scratch.spectra.imaginary).pointer + (output == nil ? 0 : bins * first)
                for pair in 0..<pairs {
                    separate(
                        real: scratch.frequencyReal.pointer + fftSize * pair,
                        imaginary: scratch.frequencyImaginary.pointer + fftSize * pair,
                        first: (real + bins * 2 * pair, imaginary + bins * 2 * pair),
                        second: (real + bins * (2 * pair + 1), imaginary + bins * (2 * pair + 1)))
                }
                body(first, count, real, imaginary)
                first += count
            }
        }
    }

    /// Weighted overlap-add of the inverse FFTs of `frameCount` frames into `output`
    /// (`n + hopLength * (frameCount - 1)` samples, overwritten).
    func overlapAdd(spectra: SplitSpectra, frameCount: Int, output: UnsafeMutablePointer<Float>, scratch: FFTScratch) {
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
                let pairs = (count + 1) / 2
                for pair in 0..<pairs {
                    let a = first + 2 * pair
                    let real = UnsafePointer(spectra.real.pointer)
                    let imaginary = UnsafePointer(spectra.imaginary.pointer)
                    let zeros = UnsafePointer(scratch.zeros.pointer)
                    let hasPartner = a + 1 < first + count
                    let partnerReal: UnsafePointer<Float> = hasPartner ? real + bins * (a + 1) : zeros
                    let partnerImaginary: UnsafePointer<Float> = hasPartner ? imaginary + bins * (a + 1) : zeros
                    combine(
                        first: (real + bins * a, imaginary + bins * a), second: (partnerReal, partnerImaginary),
                        real: scratch.frequencyReal.pointer + fftSize * pair,
                        imaginary: scratch.frequencyImaginary.pointer + fftSize * pair)
                }
                plans.backward(scratch)
                for offset in 0..<count {
                    let parts = offset % 2 == 0 ? scratch.timeReal : scratch.timeImaginary
                    let frame = parts.pointer + fftSize * (offset / 2)
                    let target = output + (first + offset) * hop
                    for index in 0..<fftSize { target[index] += frame[index] * window[index] }
                }
                first += count
            }
        }
    }

    /// Writes frame `frame` of the (virtually padded) signal, multiplied by the window, to `destination`.
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
            // Interior frame: a straight multiply the compiler vectorises.
            let samples = source + start
            for index in 0..<fftSize { destination[index] = samples[index] * window[index] }
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

    /// Splits the FFT `Z` of `a + i b` (two real frames) into their half spectra:
    /// `A[k] = (Z[k] + conj Z[n-k]) / 2`, `B[k] = (Z[k] - conj Z[n-k]) / 2i`.
    @inline(__always)
    private func separate(
        real zr: UnsafePointer<Float>, imaginary zi: UnsafePointer<Float>,
        first a: (real: UnsafeMutablePointer<Float>, imaginary: UnsafeMutablePointer<Float>),
        second b: (real: UnsafeMutablePointer<Float>, imaginary: UnsafeMutablePointer<Float>)
    ) {
        let fftSize = configuration.fftSize
        a.real[0] = zr[0]
        a.imaginary[0] = 0
        b.real[0] = zi[0]
        b.imaginary[0] = 0
        // mirror[k] = Z[n - k], read backwards from the end.
        let mirrorReal = zr + fftSize
        let mirrorImaginary = zi + fftSize
        for bin in 1..<binCount {
            let wr = mirrorReal[-bin]
            let wi = mirrorImaginary[-bin]
            a.real[bin] = 0.5 * (zr[bin] + wr)
            a.imaginary[bin] = 0.5 * (zi[bin] - wi)
            b.real[bin] = 0.5 * (zi[bin] + wi)
            b.imaginary[bin] = 0.5 * (wr - zr[bin])
        }
    }

    /// Builds the FFT of `a + i b` from two half spectra (the inverse of `separate`); imaginary parts
    /// at DC and Nyquist are ignored, as `irfft` ignores them.
    @inline(__always)
    private func combine(
        first a: (real: UnsafePointer<Float>, imaginary: UnsafePointer<Float>),
        second b: (real: UnsafePointer<Float>, imaginary: UnsafePointer<Float>),
        real zr: UnsafeMutablePointer<Float>, imaginary zi: UnsafeMutablePointer<Float>
    ) {
        let fftSize = configuration.fftSize
        let bins = binCount
        zr[0] = a.real[0]
        zi[0] = b.real[0]
        let hasNyquist = fftSize % 2 == 0
        let inner = hasNyquist ? bins - 1 : bins
        let mirrorReal = zr + fftSize
        let mirrorImaginary = zi + fftSize
        for bin in 1..<inner {
            let ar = a.real[bin]
            let ai = a.imaginary[bin]
            let br = b.real[bin]
            let bi = b.imaginary[bin]
            zr[bin] = ar - bi
            zi[bin] = ai + br
            mirrorReal[-bin] = ar + bi
            mirrorImaginary[-bin] = br - ai
        }
        if hasNyquist {
            zr[bins - 1] = a.real[bins - 1]
            zi[bins - 1] = b.real[bins - 1]
        }
    }
}
