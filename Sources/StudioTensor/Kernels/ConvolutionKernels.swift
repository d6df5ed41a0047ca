import Foundation

// Convolution kernels: im2col + GEMM. No tensors, no tape.
// Legend: N batch, C input channels, H x W input, K output channels, R x S kernel, P x Q output.

/// The geometry of a 2-D convolution (cross-correlation, as PyTorch's `conv2d`).
public struct ConvolutionGeometry: Sendable, Hashable {
    /// Batch.
    public let batch: Int
    /// Input channels, height, width.
    public let inputChannels: Int, inputHeight: Int, inputWidth: Int
    /// Output channels.
    public let outputChannels: Int
    /// Kernel height and width.
    public let kernelHeight: Int, kernelWidth: Int
    /// Stride and zero padding (the same along both axes).
    public let stride: Int, padding: Int

    /// Output height.
    public var outputHeight: Int { (inputHeight + 2 * padding - kernelHeight) / stride + 1 }
    /// Output width.
    public var outputWidth: Int { (inputWidth + 2 * padding - kernelWidth) / stride + 1 }
    /// Floats of one input sample: C * H * W.
    var inputSampleSize: Int { inputChannels * inputHeight * inputWidth }
    /// Floats of one output sample: K * P * Q.
    var outputSampleSize: Int { outputChannels * outputPlane }
    /// Rows of the im2col matrix: C * R * S.
    var patchSize: Int { inputChannels * kernelHeight * kernelWidth }
    /// Columns of the im2col matrix: P * Q.
    var outputPlane: Int { outputHeight * outputWidth }
    /// True when the convolution is a plain matrix product per sample (1x1, stride 1, no padding).
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }
}

/// Unfolds one sample `[C, H, W]` into columns `[C * R * S, P * Q]`.
func im2col(_ input: UnsafePointer<Float>, _ columns: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    let (height, width) = (g.inputHeight, g.inputWidth)
    let (outHeight, outWidth) = (g.outputHeight, g.outputWidth)
    for channel in 0..<g.inputChannels {
        let plane = input + channel * height * width
        for r in 0..<g.kernelHeight {
            for s in 0..<g.kernelWidth {
                let row = columns + ((channel * g.kernelHeight + r) * g.kernelWidth + s) * outHeight * outWidth
                for p in 0..<outHeight {
                    let y = p * g.stride - g.padding + r
                    let target = row + p * outWidth
                    if y < 0 || y >= height {
                        target.update(repeating: 0, count: outWidth)
                        continue
                    }
                    let source = plane + y * width
                    if g.stride == 1 {
                        // x = q - padding + s: copy the valid run, zero the edges.
                        let shift = s - g.padding
                        let first = max(0, -shift)
                        let last = min(outWidth, width - shift)
                        if first > 0 { target.update(repeating: 0, count: min(first, outWidth)) }
                        if last > first { (target + first).update(from: source + first + shift, count: last - first) }
                        if last < outWidth {
                            (target + max(last, 0)).update(repeating: 0, count: outWidth - max(last, 0))
                        }
                    } else {
                        for q in 0..<outWidth {
                            let x = q * g.stride - g.padding + s
                            target[q] = x >= 0 && x < width ? source[x] : 0
                        }
                    }
                }
            }
        }
    }
}

/// Folds columns `[C * R * S, P * Q]` back into one sample `[C, H, W]`, adding overlaps (the
/// transpose of `im2col`). `output` is overwritten.
func col2im(_ columns: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    let (height, width) = (g.inputHeight, g.inputWidth)
    let (outHeight, outWidth) = (g.outputHeight, g.outputWidth)
    output.update(repeating: 0, count: g.inputChannels * height * width)
    for channel in 0..<g.inputChannels {
        let plane = output + channel * height * width
        for r in 0..<g.kernelHeight {
            for s in 0..<g.kernelWidth {
                let row = columns + ((channel * g.kernelHeight + r) * g.kernelWidth + s) * outHeight * outWidth
                for p in 0..<outHeight {
                    let y = p * g.stride - g.padding + r
                    if y < 0 || y >= height { continue }
                    let target = plane + y * width
                    let source = row + p * outWidth
                    if g.stride == 1 {
                        let shift = s - g.padding
                        let first = max(0, -shift)
                        let last = min(outWidth, width - shift)
                        if last > first {
                            let destination = target + first + shift
                            let values = source + first
                            for q in 0..<(last - first) { destination[q] += values[q] }
                        }
                    } else {
                        for q in 0..<outWidth {
                            let x = q * g.stride - g.padding + s
                            if x >= 0 && x < width { target[x] += source[q] }
                        }
                    }
                }
            }
        }
    }
}

/// `y[n] = W * im2col(x[n])`: `x [N, C, H, W]`, `w [K, C, R, S]`, `y [N, K, P, Q]`.
func convolutionForward(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ g: ConvolutionGeometry
) {
    if OneDNN.handles(g) {
        OneDNN.forward(output, input, weight, g)
        return
    }
    if g.isSamePaddedStrideOne {
        shiftedConvolutionForward(output, input, weight, g)
        return
    }
    let (inSize, outSize) = (g.inputSampleSize, g.outputSampleSize)
    forEachSampleChunk(g) { samples in
        let columns = g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
        defer { columns?.deallocate() }
        for n in samples {
            var patches = input + n * inSize
            if let columns {
                im2col(patches, columns, g)
                patches = UnsafePointer(columns)
            }
            gemm(
                transposeA: false, transposeB: false, m: g.outputChannels, n: g.outputPlane, k: g.patchSize,
                weight, lda: g.patchSize, patches, ldb: g.outputPlane, output + n * outSize, ldc: g.outputPlane)
        }
    }
}

/// Runs `body` over chunks of the batch on the engine's threads (one chunk per thread, each with
/// its own scratch), or serially for small convolutions.
func forEachSampleChunk(_ g: ConvolutionGeometry, _ body: (Range<Int>) -> Void) {
    let work = g.outputChannels * g.outputPlane * g.patchSize
    Parallel.forRange(g.batch, costPerItem: work, threshold: 1 << 20, body)
}

/// `dx[n] = col2im(W^T * dy[n])`: the gradient of the convolution with respect to its input.
func convolutionBackwardData(
    _ inputGradient: UnsafeMutablePointer<Float>, _ outputGradient: UnsafePointer<Float>,
    _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry
) {
    if OneDNN.handles(g) {
        OneDNN.inputGradient(inputGradient, outputGradient, weight, g)
        return
    }
    if g.isSamePaddedStrideOne {
        shiftedConvolutionBackwardData(inputGradient, outputGradient, weight, g)
        return
    }
    let (inSize, outSize) = (g.inputSampleSize, g.outputSampleSize)
    forEachSampleChunk(g) { samples in
        if g.isPointwise {
            for n in samples {
                gemm(
                    transposeA: true, transposeB: false, m: g.inputChannels, n: g.outputPlane, k: g.outputChannels,
                    weight, lda: g.inputChannels, outputGradient + n * outSize, ldb: g.outputPlane,
                    inputGradient + n * inSize, ldc: g.outputPlane)
            }
            return
        }
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
        defer { columns.deallocate() }
        for n in samples {
            gemm(
                transposeA: true, transposeB: false, m: g.patchSize, n: g.outputPlane, k: g.outputChannels,
                weight, lda: g.patchSize, outputGradient + n * outSize, ldb: g.outputPlane, columns, ldc: g.outputPlane)
            col2im(columns, inputGradient + n * inSize, g)
        }
    }
}

/// `dW = sum_n dy[n] * im2col(x[n])^T`: the gradient with respect to the weight.
func convolutionBackwardFilter(
    _ weightGradient: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
    _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry
) {
    if OneDNN.handles(g) {
        OneDNN.weightGradient(weightGradient, input, outputGradient, g)
        return
    }
    if g.isSamePaddedStrideOne {
        shiftedConvolutionBackwardFilter(weightGradient, input, outputGradient, g)
        return
    }
    let (inSize, outSize) = (g.inputSampleSize, g.outputSampleSize)
    let weightCount = g.outputChannels * g.patchSize
    weightGradient.update(repeating: 0, count: weightCount)
    let sums = OrderedPartialSums()
    forEachSampleChunk(g) { samples in
        // Each chunk sums its samples privately; the chunks' sums are added in chunk order.
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
        let columns = g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outputPlane)
        defer {
            partial.deallocate()
            columns?.deallocate()
        }
        for (position, n) in samples.enumerated() {
            var patches = input + n * inSize
            if let columns {
                im2col(patches, columns, g)
                patches = UnsafePointer(columns)
            }
            gemm(
                transposeA: false, transposeB: true, m: g.outputChannels, n: g.patchSize, k: g.outputPlane,
                outputGradient + n * outSize, lda: g.outputPlane, patches, ldb: g.outputPlane,
                beta: position == 0 ? 0 : 1,
                partial, ldc: g.patchSize)
        }
        sums.add(start: samples.lowerBound, partial, count: weightCount)
    }
    sums.accumulate(into: weightGradient, count: weightCount)
}

/// Adds per-chunk partial sums into a total in the order of their chunks, not in the order the
/// threads finish, so that a sum split across three or more threads is the same on every run.
final class OrderedPartialSums: @unchecked Sendable {
    private let lock = NSLock()
    private var partials = [(start: Int, values: [Float])]()

    /// Records the partial sum of the chunk whose first sample is `start`.
    func add(start: Int, _ values: UnsafePointer<Float>, count: Int) {
        let copy = Array(UnsafeBufferPointer(start: values, count: count))
        lock.withLock { partials.append((start, copy)) }
    }

    /// Adds every recorded partial, in chunk order, to `total`.
    func accumulate(into total: UnsafeMutablePointer<Float>, count: Int) {
        for (_, values) in partials.sorted(by: { $0.start < $1.start }) {
            for index in 0..<count { total[index] += values[index] }
        }
    }
}
