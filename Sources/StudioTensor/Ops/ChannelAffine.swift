// A per-plane scale and shift of [N, C, H, W], fused: one pass forward and one pass backward
// instead of a broadcast product and a broadcast sum (two passes forward; a product, a full-size
// temporary and two serial reductions backward). Batch norm's affine step, its inference form and
// conditional batch norm all take this shape. The arithmetic per element and the order of every sum
// are those of `x * scale + shift` written with broadcasting, so the results are the same bits.

extension Tensor {
    /// `y[n, c, h, w] = x[n, c, h, w] * scale[n', c] + shift[n', c]` on `[N, C, H, W]`, where `scale`
    /// and `shift` have shape `[1, C, 1, 1]` (one value per channel) or `[N, C, 1, 1]` (one per
    /// sample and channel), each on its own.
    ///
    /// The pullback is `dx = g * scale`, `dscale = sum(g * x)` and `dshift = sum(g)` over each plane
    /// (and over the batch for per-channel values), one fused kernel on a plain backward pass. When
    /// the backward pass is itself recorded (`createGraph`), it is built from differentiable
    /// operations instead, so gradients of gradients stay exact.
    public func channelAffine(scale: Tensor, shift: Tensor) -> Tensor {
        precondition(rank == 4, "channelAffine needs NCHW, got \(shape)")
        let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
        for (name, operand) in [("scale", scale), ("shift", shift)] {
            precondition(
                operand.shape == [1, channels, 1, 1] || operand.shape == [batch, channels, 1, 1],
                "channelAffine: \(name) of shape \(operand.shape) for input \(shape)")
        }
        let scaleStride = scale.shape[0] == 1 ? 0 : channels
        let shiftStride = shift.shape[0] == 1 ? 0 : channels
        let value = makeTensor(shape) { out in
            withPointer { x in
                scale.withPointer { s in
                    shift.withPointer { b in
                        Parallel.forRange(batch * channels, costPerItem: 2 * plane) { planes in
                            for index in planes {
                                let (n, c) = index.quotientAndRemainder(dividingBy: channels)
                                let (factor, offset) = (s[n * scaleStride + c], b[n * shiftStride + c])
                                let (source, target) = (x + index * plane, out + index * plane)
                                for element in 0..<plane { target[element] = source[element] * factor + offset }
                            }
                        }
                    }
                }
            }
        }
        // Only the scale's gradient reads `x`: with a constant scale (inference of a frozen
        // network) the tape does not hold on to the input. A kept input shares the scale's tape, so
        // the scale alone tells whether the backward pass is recorded for it.
        let input: Tensor? = scale.isTracked ? self : nil
        return Tape.record(value, inputs: [self, scale, shift]) { g, _, needs in
            if g.isTracked || scale.isTracked {
                return [
                    needs[0] ? g * scale : nil,
                    needs[1] ? (g * input!).sum(toShape: scale.shape) : nil,
                    needs[2] ? g.sum(toShape: shift.shape) : nil,
                ]
            }
            return Tensor.fusedChannelAffineGradients(
                gradient: g, input: input, scale: scale, shiftShape: shift.shape, needs: needs)
        }
    }

    /// The plain backward pass of `channelAffine`: each plane once, for every gradient wanted.
    private static func fusedChannelAffineGradients(
        gradient g: Tensor, input x: Tensor?, scale: Tensor, shiftShape: [Int], needs: [Bool]
    ) -> [Tensor?] {
        let (batch, channels, plane) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
        let scaleStride = scale.shape[0] == 1 ? 0 : channels
        let shiftStride = shiftShape[0] == 1 ? 0 : channels
        let inputGradient = needs[0] ? TensorStorage(uninitializedCount: g.count) : nil
        var scaleSums = [Float](repeating: 0, count: scale.count)
        var shiftSums = [Float](repeating: 0, count: shiftShape.reduce(1, *))
        // Without the input (a constant scale) nothing wants `sum(g * x)`; `g` stands in for `x`.
        g.withPointer { gp in
            (x ?? g).withPointer { xp in
                scale.withPointer { s in
                    // One channel's planes in batch order per task: the per-channel sums then add
                    // the samples in the order a broadcast reduction does.
                    Parallel.forRange(channels, costPerItem: 3 * batch * plane) { range in
                        for c in range {
                            for n in 0..<batch {
                                let offset = (n * channels + c) * plane
                                let factor = s[n * scaleStride + c]
                                let target = inputGradient.map { $0.pointer + offset }
                                guard needs[1] || needs[2] else {
                                    for element in 0..<plane { target![element] = gp[offset + element] * factor }
                                    continue
                                }
                                let sums = affineGradientRow(
                                    gp + offset, xp + offset, factor: factor, inputGradient: target, count: plane)
                                if needs[1] { scaleSums[n * scaleStride + c] += Float(sums.product) }
                                if needs[2] { shiftSums[n * shiftStride + c] += Float(sums.gradient) }
                            }
                        }
                    }
                }
            }
        }
        return [
            inputGradient.map { Tensor(shape: g.shape, storage: $0) },
            needs[1] ? Tensor(shape: scale.shape, scalars: scaleSums) : nil,
            needs[2] ? Tensor(shape: shiftShape, scalars: shiftSums) : nil,
        ]
    }
}

/// One plane of `channelAffine`'s pullback in one pass: `dx = g * factor` (when `inputGradient` is
/// given) and the sums of `g * x` (each product rounded to a float) and of `g`, kept in double
/// precision lane for lane as `sumDouble` adds a tensor of those values.
func affineGradientRow(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, factor: Float, inputGradient: UnsafeMutablePointer<Float>?,
    count: Int
) -> (product: Double, gradient: Double) {
    var products = SIMD8<Double>(repeating: 0)
    var gradients = SIMD8<Double>(repeating: 0)
    var index = 0
    while index + 8 <= count {
        let gv = UnsafeRawPointer(g + index).loadUnaligned(as: SIMD8<Float>.self)
        let xv = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
        if let inputGradient {
            UnsafeMutableRawPointer(inputGradient + index).storeBytes(of: gv * factor, as: SIMD8<Float>.self)
        }
        products += SIMD8<Double>(gv * xv)
        gradients += SIMD8<Double>(gv)
        index += 8
    }
    var (product, gradient) = (products.sum(), gradients.sum())
    while index < count {
        inputGradient?[index] = g[index] * factor
        product += Double(g[index] * x[index])
        gradient += Double(g[index])
        index += 1
    }
    return (product, gradient)
}
