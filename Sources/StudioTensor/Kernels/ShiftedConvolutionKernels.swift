import Foundation

// "Same" stride-1 convolutions (odd square kernel, padding = kernel / 2) without im2col.
//
// Each sample's input is zero-padded once to [C, H + 2p, W + 2p]. For kernel tap (r, s), the
// input pixels every output pixel needs form one contiguous run of that padded plane if the output
// is computed on a "wide" grid of H rows x (W + 2p) columns: output position j reads padded index
// j + r * (W + 2p) + s. So the convolution is R*S GEMMs with the padded input as the B matrix
// (leading dimension = padded plane size), accumulated into the wide output, whose 2p extra
// columns per row are dropped at the end. Same FLOPs as im2col + GEMM (+2p/W), but no 9x copy of
// the input. The input and weight gradients use the same shifted views.
// Legend: N batch, C in channels, K out channels, H x W plane, p padding, R = S = 2p + 1 taps.

extension ConvolutionGeometry {
    /// True for stride-1 convolutions whose padding keeps the plane size (3x3 pad 1, 5x5 pad 2, ...)
    /// and where shifted GEMMs beat im2col. Measured here (Benchmarks/run engine, 1 thread): on
    /// 64x64 planes with 64-128 channels they are 1.7x faster forward and 1.3x backward; on 32x32
    /// and smaller planes, and with a single input channel (GEMMs with k = 1), im2col wins.
    var isSamePaddedStrideOne: Bool {
        stride == 1 && kernelHeight == kernelWidth && kernelHeight % 2 == 1 && padding == kernelHeight / 2
            && kernelHeight > 1 && inputChannels >= 16 && inputHeight * inputWidth >= 2048
    }
    var paddedWidth: Int { inputWidth + 2 * padding }
    var paddedPlane: Int { (inputHeight + 2 * padding) * paddedWidth }
    /// Columns of the wide output: H rows of W + 2p.
    var wideColumns: Int { inputHeight * paddedWidth }
    /// Offset into a padded plane of kernel tap `tap` (row-major over R x S).
    func tapShift(_ tap: Int) -> Int { (tap / kernelWidth) * paddedWidth + tap % kernelWidth }
}

/// One thread's buffers: a padded input sample (with 2p spare floats) and a wide output sample.
private struct ShiftedScratch {
    let padded: UnsafeMutablePointer<Float>
    let wide: UnsafeMutablePointer<Float>

    init(_ g: ConvolutionGeometry) {
        padded = .allocate(capacity: g.inputChannels * g.paddedPlane + 2 * g.padding)
        wide = .allocate(capacity: g.outputChannels * g.wideColumns)
    }

    func deallocate() {
        padded.deallocate()
        wide.deallocate()
    }
}

/// Copies `[C, H, W]` into the centre of a zeroed `[C, H + 2p, W + 2p]` buffer (with 2p spare
/// floats at the end, which wide reads of the last channel touch).
private func padPlanes(_ input: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
    padded.update(repeating: 0, count: g.inputChannels * g.paddedPlane + 2 * g.padding)
    for channel in 0..<g.inputChannels {
        for y in 0..<g.inputHeight {
            (padded + channel * g.paddedPlane + (y + g.padding) * g.paddedWidth + g.padding).update(
                from: input + (channel * g.inputHeight + y) * g.inputWidth, count: g.inputWidth)
        }
    }
}

/// Weights `[K, C, R, S]` regrouped per tap: `[R * S][K, C]`.
private func weightsPerTap(_ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> UnsafeMutablePointer<Float> {
    let taps = g.kernelHeight * g.kernelWidth
    let out = UnsafeMutablePointer<Float>.allocate(capacity: taps * g.outputChannels * g.inputChannels)
    for k in 0..<g.outputChannels {
        for c in 0..<g.inputChannels {
            for tap in 0..<taps {
                out[(tap * g.outputChannels + k) * g.inputChannels + c] = weight[(k * g.inputChannels + c) * taps + tap]
            }
        }
    }
    return out
}

/// Forward: `y [N, K, H, W]`.
func shiftedConvolutionForward(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ g: ConvolutionGeometry
) {
    let taps = g.kernelHeight * g.kernelWidth
    let tapWeights = weightsPerTap(weight, g)
    defer { tapWeights.deallocate() }
    let plane = g.inputHeight * g.inputWidth
    forEachSampleChunk(g) { samples in
        let scratch = ShiftedScratch(g)
        defer { scratch.deallocate() }
        let (padded, wide) = (scratch.padded, scratch.wide)
        for n in samples {
            padPlanes(input + n * g.inputChannels * plane, padded, g)
            for tap in 0..<taps {
                let shift = g.tapShift(tap)
                gemm(
                    transposeA: false, transposeB: false, m: g.outputChannels, n: g.wideColumns, k: g.inputChannels,
                    tapWeights + tap * g.outputChannels * g.inputChannels, lda: g.inputChannels, padded + shift,
                    ldb: g.paddedPlane, beta: tap == 0 ? 0 : 1, wide, ldc: g.wideColumns)
            }
            narrow(wide, output + n * g.outputChannels * plane, channels: g.outputChannels, g)
        }
    }
}

/// Copies `dy [K, H, W]` into a wide `[K, H, W + 2p]` buffer with zero extra columns.
private func widen(
    _ source: UnsafePointer<Float>, _ wide: UnsafeMutablePointer<Float>, channels: Int, _ g: ConvolutionGeometry
) {
    wide.update(repeating: 0, count: channels * g.wideColumns)
    for k in 0..<channels {
        for y in 0..<g.inputHeight {
            (wide + k * g.wideColumns + y * g.paddedWidth).update(
                from: source + (k * g.inputHeight + y) * g.inputWidth, count: g.inputWidth)
        }
    }
}

/// Copies the valid W columns of each row of a wide `[K, H, W + 2p]` buffer to `[K, H, W]`
/// (the inverse of `widen`).
private func narrow(
    _ wide: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, channels: Int, _ g: ConvolutionGeometry
) {
    for k in 0..<channels {
        for y in 0..<g.inputHeight {
            (target + (k * g.inputHeight + y) * g.inputWidth).update(
                from: wide + k * g.wideColumns + y * g.paddedWidth, count: g.inputWidth)
        }
    }
}

/// Input gradient: `dx [N, C, H, W]`, the shifted transpose.
func shiftedConvolutionBackwardData(
    _ inputGradient: UnsafeMutablePointer<Float>, _ outputGradient: UnsafePointer<Float>,
    _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry
) {
    let taps = g.kernelHeight * g.kernelWidth
    let tapWeights = weightsPerTap(weight, g)
    defer { tapWeights.deallocate() }
    let plane = g.inputHeight * g.inputWidth
    forEachSampleChunk(g) { samples in
        let scratch = ShiftedScratch(g)
        defer { scratch.deallocate() }
        let (padded, wide) = (scratch.padded, scratch.wide)
        for n in samples {
            widen(outputGradient + n * g.outputChannels * plane, wide, channels: g.outputChannels, g)
            padded.update(repeating: 0, count: g.inputChannels * g.paddedPlane + 2 * g.padding)
            for tap in 0..<taps {
                let shift = g.tapShift(tap)
                // dXpad[C, shift + j] += W_tap^T [C, K] * dYwide [K, j]
                gemm(
                    transposeA: true, transposeB: false, m: g.inputChannels, n: g.wideColumns, k: g.outputChannels,
                    tapWeights + tap * g.outputChannels * g.inputChannels, lda: g.inputChannels, wide,
                    ldb: g.wideColumns, beta: 1, padded + shift, ldc: g.paddedPlane)
            }
            let target = inputGradient + n * g.inputChannels * plane
            for c in 0..<g.inputChannels {
                for y in 0..<g.inputHeight {
                    (target + (c * g.inputHeight + y) * g.inputWidth).update(
                        from: padded + c * g.paddedPlane + (y + g.padding) * g.paddedWidth + g.padding,
                        count: g.inputWidth)
                }
            }
        }
    }
}

/// Weight gradient: `dW [K, C, R, S] = sum_n sum_j dYwide[K, j] * Xpad[C, shift + j]`.
func shiftedConvolutionBackwardFilter(
    _ weightGradient: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
    _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry
) {
    let taps = g.kernelHeight * g.kernelWidth
    let weightCount = taps * g.outputChannels * g.inputChannels
    let tapGradients = UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
    defer { tapGradients.deallocate() }
    tapGradients.update(repeating: 0, count: weightCount)
    let plane = g.inputHeight * g.inputWidth
    let sums = OrderedPartialSums()
    forEachSampleChunk(g) { samples in
        // Each chunk sums its samples privately; the chunks' sums are added in chunk order.
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
        let scratch = ShiftedScratch(g)
        defer {
            partial.deallocate()
            scratch.deallocate()
        }
        let (padded, wide) = (scratch.padded, scratch.wide)
        partial.update(repeating: 0, count: weightCount)
        for n in samples {
            padPlanes(input + n * g.inputChannels * plane, padded, g)
            widen(outputGradient + n * g.outputChannels * plane, wide, channels: g.outputChannels, g)
            for tap in 0..<taps {
                let shift = g.tapShift(tap)
                gemm(
                    transposeA: false, transposeB: true, m: g.outputChannels, n: g.inputChannels, k: g.wideColumns,
                    wide, lda: g.wideColumns, padded + shift, ldb: g.paddedPlane, beta: 1,
                    partial + tap * g.outputChannels * g.inputChannels, ldc: g.inputChannels)
            }
        }
        sums.add(start: samples.lowerBound, partial, count: weightCount)
    }
    sums.accumulate(into: tapGradients, count: weightCount)
    for k in 0..<g.outputChannels {
        for c in 0..<g.inputChannels {
            for tap in 0..<taps {
                weightGradient[(k * g.inputChannels + c) * taps + tap] =
                    tapGradients[(tap * g.outputChannels + k) * g.inputChannels + c]
            }
        }
    }
}
