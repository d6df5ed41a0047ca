import Foundation

// Batch normalisation without affine parameters, fused: one kernel for the forward pass and one
// for the usual backward pass, instead of the eight elementwise passes (and eight saved
// activations) of the composed formula. Legend: N batch, C channels, HW plane.

extension Tensor {
    /// Normalises `[N, C, H, W]` per channel with the batch's mean and biased variance:
    /// `y = (x - mean) / sqrt(variance + epsilon)`.
    ///
    /// - Returns: `y`, and the per-channel mean and biased variance `[C]` (constants, for running
    ///   statistics).
    ///
    /// The pullback is `dx = (g - mean(g) - y * mean(g * y)) / sqrt(variance + epsilon)` per channel,
    /// run as one kernel on a plain backward pass. When the backward pass is itself recorded
    /// (`createGraph`), it is built from differentiable operations on `x` instead, so gradients of
    /// gradients stay exact.
    public func batchNormalized(epsilon: Float = 1e-5) -> (output: Tensor, mean: [Float], variance: [Float]) {
        precondition(rank == 4, "batchNormalized needs NCHW, got \(shape)")
        let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
        var means = [Float](repeating: 0, count: channels)
        var variances = [Float](repeating: 0, count: channels)
        var inverseDeviations = [Float](repeating: 0, count: channels)
        let total = Double(batch * plane)
        let value = makeTensor(shape) { out in
            withPointer { x in
                Parallel.forRange(channels, costPerItem: 3 * batch * plane) { range in
                    for channel in range {
                        var sum = 0.0
                        for n in 0..<batch { sum += sumDouble(x + (n * channels + channel) * plane, count: plane) }
                        let mean = Float(sum / total)
                        var squares = 0.0
                        for n in 0..<batch {
                            squares += Double(
                                squaredDeviations(x + (n * channels + channel) * plane, count: plane, mean: mean))
                        }
                        let variance = Float(squares / total)
                        let inverse = 1 / (variance + epsilon).squareRoot()
                        means[channel] = mean
                        variances[channel] = variance
                        inverseDeviations[channel] = inverse
                        for n in 0..<batch {
                            let source = x + (n * channels + channel) * plane
                            let target = out + (n * channels + channel) * plane
                            for index in 0..<plane { target[index] = (source[index] - mean) * inverse }
                        }
                    }
                }
            }
        }
        let output = Tape.record(value, inputs: [self], savingOutput: true) { g, y, _ in
            if g.isTracked || y.isTracked {
                return [Tensor.composedBatchNormGradient(x: self, gradient: g, epsilon: epsilon)]
            }
            return [Tensor.fusedBatchNormGradient(gradient: g, normalized: y, inverseDeviations: inverseDeviations)]
        }
        return (output, means, variances)
    }

    private static func fusedBatchNormGradient(gradient g: Tensor, normalized y: Tensor, inverseDeviations: [Float])
        -> Tensor
    {
        let (batch, channels, plane) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
        let total = Double(batch * plane)
        return makeTensor(g.shape) { out in
            g.withPointer { gp in
                y.withPointer { yp in
                    Parallel.forRange(channels, costPerItem: 4 * batch * plane) { range in
                        for channel in range {
                            var gradientSum = 0.0
                            var productSum = 0.0
                            for n in 0..<batch {
                                let offset = (n * channels + channel) * plane
                                let sums = gradientSums(gp + offset, yp + offset, count: plane)
                                gradientSum += Double(sums.gradient)
                                productSum += Double(sums.product)
                            }
                            let meanGradient = Float(gradientSum / total)
                            let meanProduct = Float(productSum / total)
                            let inverse = inverseDeviations[channel]
                            for n in 0..<batch {
                                let offset = (n * channels + channel) * plane
                                for index in 0..<plane {
                                    out[offset + index] =
                                        (gp[offset + index] - meanGradient - yp[offset + index] * meanProduct) * inverse
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same gradient from differentiable operations on `x`, for recorded backward passes.
    private static func composedBatchNormGradient(x: Tensor, gradient g: Tensor, epsilon: Float) -> Tensor {
        let axes = [0, 2, 3]
        let centered = x - x.mean(alongAxes: axes)
        let inverse = 1 / ((centered * centered).mean(alongAxes: axes) + epsilon).sqrt()
        let normalized = centered * inverse
        return (g - g.mean(alongAxes: axes) - normalized * (g * normalized).mean(alongAxes: axes)) * inverse
    }
}

// The row kernels both batch-norm ops (whole batch and sharded) sum with, so that one shard is the
// plain op bit for bit.

/// `sum((row[i] - mean)^2)` over `count` floats: eight lanes, then the rest.
func squaredDeviations(_ row: UnsafePointer<Float>, count: Int, mean: Float) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    var index = 0
    while index + 8 <= count {
        let d = UnsafeRawPointer(row + index).loadUnaligned(as: SIMD8<Float>.self) - mean
        lanes += d * d
        index += 8
    }
    var rest: Float = 0
    while index < count {
        rest += (row[index] - mean) * (row[index] - mean)
        index += 1
    }
    return lanes.sum() + rest
}

/// `sum(g)` and `sum(g * y)` over `count` floats of two rows: eight lanes, then the rest.
func gradientSums(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> (gradient: Float, product: Float)
{
    var sum = SIMD8<Float>(repeating: 0)
    var product = SIMD8<Float>(repeating: 0)
    var index = 0
    while index + 8 <= count {
        let gv = UnsafeRawPointer(g + index).loadUnaligned(as: SIMD8<Float>.self)
        let yv = UnsafeRawPointer(y + index).loadUnaligned(as: SIMD8<Float>.self)
        sum += gv
        product += gv * yv
        index += 8
    }
    var restSum: Float = 0
    var restProduct: Float = 0
    while index < count {
        restSum += g[index]
        restProduct += g[index] * y[index]
        index += 1
    }
    return (sum.sum() + restSum, product.sum() + restProduct)
}
