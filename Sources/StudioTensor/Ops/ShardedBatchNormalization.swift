import Foundation

// Batch normalisation over a batch split into shards (data-parallel training): every sum over the
// batch is a per-shard partial sum, exchanged and added in one fixed order, so each shard normalises
// with the whole batch's statistics and the result does not depend on which process holds which
// shard. Legend: N this shard's batch, C channels, HW plane.

extension Tensor {
    /// `batchNormalized(epsilon:)` with the statistics of the whole batch, of which `self` is the
    /// shard `peer.shard` (all shards of equal size): `y = (x - mean) / sqrt(variance + epsilon)`.
    ///
    /// - Returns: `y`, and the whole batch's per-channel mean and biased variance.
    ///
    /// Forward and backward exchange per-channel sums with the other shards, so every shard must
    /// run the same operations in the same order. The backward pass is the fused one only: a
    /// recorded (double) backward through a sharded batch norm is not supported.
    public func batchNormalized(epsilon: Float = 1e-5, sharedWith peer: ShardPeer) -> (
        output: Tensor, mean: [Float], variance: [Float]
    ) {
        precondition(rank == 4, "batchNormalized needs NCHW, got \(shape)")
        let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
        let total = Double(batch * plane * peer.shardCount)
        var sums = [Double](repeating: 0, count: channels)
        withPointer { x in
            for channel in 0..<channels {
                for n in 0..<batch { sums[channel] += sumDouble(x + (n * channels + channel) * plane, count: plane) }
            }
        }
        let means = peer.sum(sums).map { Float($0 / total) }
        var squares = [Double](repeating: 0, count: channels)
        withPointer { x in
            for channel in 0..<channels {
                let mean = means[channel]
                for n in 0..<batch {
                    squares[channel] += Double(
                        squaredDeviations(x + (n * channels + channel) * plane, count: plane, mean: mean))
                }
            }
        }
        let variances = peer.sum(squares).map { Float($0 / total) }
        let inverseDeviations = variances.map { 1 / ($0 + epsilon).squareRoot() }
        let value = makeTensor(shape) { out in
            withPointer { x in
                for channel in 0..<channels {
                    let (mean, inverse) = (means[channel], inverseDeviations[channel])
                    for n in 0..<batch {
                        let offset = (n * channels + channel) * plane
                        for index in 0..<plane { out[offset + index] = (x[offset + index] - mean) * inverse }
                    }
                }
            }
        }
        let output = Tape.record(value, inputs: [self], savingOutput: true) { g, y, _ in
            precondition(
                !(g.isTracked || y.isTracked), "a recorded backward pass through a sharded batch norm is not supported")
            return [Tensor.shardedBatchNormGradient(gradient: g, normalized: y, inverse: inverseDeviations, peer: peer)]
        }
        return (output, means, variances)
    }

    /// `dx = (g - mean(g) - y * mean(g * y)) / sqrt(variance + epsilon)`, with both means over
    /// the whole batch.
    private static func shardedBatchNormGradient(
        gradient g: Tensor, normalized y: Tensor, inverse: [Float], peer: ShardPeer
    ) -> Tensor {
        let (batch, channels, plane) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
        let total = Double(batch * plane * peer.shardCount)
        // Per channel: the sum of g, then the sum of g * y.
        var partial = [Double](repeating: 0, count: 2 * channels)
        g.withPointer { gp in
            y.withPointer { yp in
                for channel in 0..<channels {
                    for n in 0..<batch {
                        let offset = (n * channels + channel) * plane
                        let sums = gradientSums(gp + offset, yp + offset, count: plane)
                        partial[channel] += Double(sums.gradient)
                        partial[channels + channel] += Double(sums.product)
                    }
                }
            }
        }
        let sums = peer.sum(partial)
        return makeTensor(g.shape) { out in
            g.withPointer { gp in
                y.withPointer { yp in
                    for channel in 0..<channels {
                        let meanGradient = Float(sums[channel] / total)
                        let meanProduct = Float(sums[channels + channel] / total)
                        let scale = inverse[channel]
                        for n in 0..<batch {
                            let offset = (n * channels + channel) * plane
                            for index in 0..<plane {
                                out[offset + index] =
                                    (gp[offset + index] - meanGradient - yp[offset + index] * meanProduct) * scale
                            }
                        }
                    }
                }
            }
        }
    }
}
