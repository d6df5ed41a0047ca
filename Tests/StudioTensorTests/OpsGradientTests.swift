import Testing

@testable import StudioTensor

/// Every operation's pullback against central finite differences on small shapes.
@Suite("Gradient checks")
struct OpsGradientTests {
    @Test func broadcastingArithmetic() {
        let a = randomTensor([2, 3, 4], seed: 1)
        let b = randomTensor([3, 1], seed: 2)
        let c = randomTensor([4], seed: 3, scale: 0.5) + 2
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a, c]) { $0[0] / $0[1] }
        checkGradients([a]) { ($0[0] * 3 + 1) / 2 - 0.5 }
        checkGradients([b]) { $0[0].broadcast(to: [2, 3, 5]) }
        checkGradients([a]) { $0[0].sum(toShape: [3, 1]) }
    }

    /// Per-channel broadcasting in NCHW (the batch-norm pattern) against explicit loops.
    @Test func perChannelBroadcastAndReduction() {
        let x = randomTensor([2, 3, 4, 5], seed: 40)
        let scale = randomTensor([1, 3, 1, 1], seed: 41)
        let product = (x * scale).scalars
        let sums = x.sum(toShape: [1, 3, 1, 1]).scalars
        var expectedSums = [Float](repeating: 0, count: 3)
        for index in 0..<x.count {
            let channel = (index / 20) % 3
            #expect(abs(product[index] - x.scalars[index] * scale.scalars[channel]) < 1e-6)
            expectedSums[channel] += x.scalars[index]
        }
        expectClose(sums, expectedSums, rtol: 1e-5, atol: 1e-5, "per-channel sums")
        #expect(collapseAxes([2, 3, 4, 5], [[2, 3, 4, 5], [1, 3, 1, 1]]).shape == [2, 3, 20])
        checkGradients([x, scale]) { $0[0] * $0[1] + $0[1] }
    }

    @Test func pointwiseFunctions() {
        let x = randomTensor([3, 5], seed: 4, scale: 2)
        let positive = randomTensor([3, 5], seed: 5) + 2
        checkGradients([x]) { $0[0].exp() }
        checkGradients([positive]) { $0[0].log() }
        checkGradients([positive]) { $0[0].sqrt() }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].softplus() }
        // Away from the kink at 0 (finite differences straddling it would be wrong).
        let offKink = Tensor(shape: [6], scalars: [-1.5, -0.7, -0.3, 0.4, 0.9, 2])
        checkGradients([offKink]) { $0[0].relu() }
        checkGradients([offKink]) { $0[0].leakyRelu(slope: 0.2) }
    }

    /// The fused pullback of ReLU and leaky ReLU gives the bits of the product with the mask,
    /// negative zeros included, on tensors large enough to split over threads.
    @Test func rectifierPullbacksGiveTheMaskProductsBits() {
        let x = randomTensor([4, 8, 96, 96], seed: 6)
        let cotangent = randomTensor(x.shape, seed: 7)
        for slope: Float in [0, 0.2] {
            let tape = Tape()
            let input = tape.watch(x)
            let output = slope == 0 ? input.relu() : input.leakyRelu(slope: slope)
            let gradient = tape.gradients(of: (output * cotangent).sum(), withRespectTo: [input])[0].scalars
            let expected = zip(cotangent.scalars, x.scalars).map { g, value in g * (value > 0 ? 1 : slope) }
            #expect(gradient.map(\.bitPattern) == expected.map(\.bitPattern), "slope \(slope)")
        }
    }

    @Test func reductionsAndShapes() {
        let x = randomTensor([2, 3, 4], seed: 6)
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].mean(alongAxes: [0, 2]) }
        checkGradients([x]) { $0[0].reshaped([6, 4]) }
        checkGradients([x]) { $0[0].permuted([2, 0, 1]) }
        checkGradients([x]) { $0[0].slice(axis: 1, 1..<3) }
        checkGradients([x]) { $0[0].padded(axis: 2, before: 1, after: 2) }
        checkGradients([x, randomTensor([2, 2, 4], seed: 7)]) { Tensor.concatenate([$0[0], $0[1]], axis: 1) }
        let table = randomTensor([5, 3], seed: 8)
        checkGradients([table]) { $0[0].gatherRows([4, 0, 4, 2]) }
    }

    /// The fused batch norm: first-order pullback (fused kernel) and second-order (composed).
    @Test func fusedBatchNorm() {
        let x = randomTensor([3, 2, 3, 4], seed: 50, scale: 2)
        checkGradients([x]) { $0[0].batchNormalized().output }
        checkGradients([x], epsilon: 5e-3, rtol: 3e-2, atol: 3e-3) { values in
            let tape = values[0].tape ?? Tape()
            let input = values[0].tape == nil ? tape.watch(values[0]) : values[0]
            let loss = (input.batchNormalized().output.tanh() * randomTensor([3, 2, 3, 4], seed: 51)).sum()
            return tape.gradients(of: loss, withRespectTo: [input], createGraph: true)[0]
        }
    }

    @Test func matmulInAllTranspositions() {
        let a = randomTensor([3, 4], seed: 9)
        let b = randomTensor([4, 2], seed: 10)
        checkGradients([a, b]) { Tensor.matmul($0[0], $0[1]) }
        checkGradients([a.transposed().detached, b]) { Tensor.matmul($0[0], $0[1], transposeA: true) }
        checkGradients([a, b.transposed().detached]) { Tensor.matmul($0[0], $0[1], transposeB: true) }
        checkGradients([a.transposed().detached, b.transposed().detached]) {
            Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true)
        }
        checkGradients([randomTensor([5, 4], seed: 11), randomTensor([3, 4], seed: 12), randomTensor([3], seed: 13)]) {
            Tensor.linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test(arguments: [(3, 1, 1), (3, 2, 1), (1, 1, 0), (4, 2, 1), (3, 1, 0)])
    func convolution(kernel: Int, stride: Int, padding: Int) {
        let x = randomTensor([2, 3, 6, 5], seed: 14)
        let w = randomTensor([4, 3, kernel, kernel], seed: 15, scale: 0.5)
        let b = randomTensor([4], seed: 16)
        checkGradients([x, w, b]) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding) }
    }

    /// Large planes take the shifted-GEMM kernels: checked against the im2col kernels on a plane
    /// and channel count that selects them.
    @Test func shiftedKernelsAgreeWithIm2col() {
        let g = ConvolutionGeometry(
            batch: 2, inputChannels: 16, inputHeight: 48, inputWidth: 50, outputChannels: 5, kernelHeight: 3,
            kernelWidth: 3, stride: 1, padding: 1)
        #expect(g.isSamePaddedStrideOne)
        let x = randomTensor([2, 16, 48, 50], seed: 30)
        let w = randomTensor([5, 16, 3, 3], seed: 31)
        let dy = randomTensor([2, 5, 48, 50], seed: 32)
        var fast = [Float](repeating: 0, count: 2 * 5 * 48 * 50)
        var slow = fast
        x.withPointer { px in
            w.withPointer { pw in
                shiftedConvolutionForward(&fast, px, pw, g)
                referenceConvolutionForward(&slow, px, pw, g)
            }
        }
        expectClose(fast, slow, rtol: 1e-4, atol: 1e-4, "forward")
        var fastDx = [Float](repeating: 0, count: x.count)
        var slowDx = fastDx
        var fastDw = [Float](repeating: 0, count: w.count)
        var slowDw = fastDw
        dy.withPointer { pdy in
            w.withPointer { pw in
                shiftedConvolutionBackwardData(&fastDx, pdy, pw, g)
                referenceConvolutionBackwardData(&slowDx, pdy, pw, g)
            }
            x.withPointer { px in
                shiftedConvolutionBackwardFilter(&fastDw, px, pdy, g)
                referenceConvolutionBackwardFilter(&slowDw, px, pdy, g)
            }
        }
        expectClose(fastDx, slowDx, rtol: 1e-4, atol: 1e-4, "input gradient")
        expectClose(fastDw, slowDw, rtol: 1e-4, atol: 1e-3, "weight gradient")
    }

    @Test func perSampleRollMatchesTorchRoll() {
        let x = Tensor(shape: [2, 1, 1, 4], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        // torch.roll(x[0], 1, -1) and torch.roll(x[1], -1, -1); a full turn changes nothing.
        #expect(x.rolledAlongLastAxis(shifts: [1, -1]).scalars == [3, 0, 1, 2, 5, 6, 7, 4])
        #expect(x.rolledAlongLastAxis(shifts: [4, -8]).scalars == x.scalars)
    }

    @Test func poolingAndLosses() {
        let x = randomTensor([2, 3, 4, 6], seed: 17)
        checkGradients([x]) { $0[0].upsampledNearest2x() }
        checkGradients([x]) { $0[0].rolledAlongLastAxis(shifts: [2, -7]) * $0[0] }
        checkGradients([x]) { $0[0].averagePooled2x2() }
        checkGradients([x]) { $0[0].maxPooled2x2() }
        checkGradients([x]) { $0[0].globalSumPooled() }
        let logits = randomTensor([4, 3], seed: 18, scale: 3)
        checkGradients([logits]) { $0[0].logSoftmax() }
        checkGradients([logits]) { Tensor.crossEntropy(logits: $0[0], labels: [2, 0, 1, 2]) }
        checkGradients([logits]) {
            Tensor.crossEntropy(logits: $0[0], labels: [2, 0, 1, 2], rowWeights: [1, 0, 2.5, 0.5])
        }
        let plain = Tensor.crossEntropy(logits: logits, labels: [2, 0, 1, 2]).scalar
        let ones = Tensor.crossEntropy(logits: logits, labels: [2, 0, 1, 2], rowWeights: [1, 1, 1, 1]).scalar
        #expect(abs(plain - ones) < 1e-6)
        let onlyFirst = Tensor.crossEntropy(logits: logits, labels: [2, 0, 1, 2], rowWeights: [4, 0, 0, 0]).scalar
        let firstRow = Tensor.crossEntropy(logits: logits.slice(axis: 0, 0..<1), labels: [2]).scalar
        #expect(abs(onlyFirst - firstRow) < 1e-5, "weight 4 on one row of 4 is that row's cross-entropy")
    }

    /// Gradients of gradients: the tape's gradient of `dL/dx` (taken with `createGraph`) against
    /// finite differences of `dL/dx` itself, through convolution, bias, products and smooth
    /// activations (the WGAN-GP path; kinks such as ReLU's would make finite differences of a
    /// gradient meaningless).
    @Test func secondOrderGradients() {
        let x = randomTensor([2, 2, 4, 4], seed: 19)
        let w = randomTensor([3, 2, 3, 3], seed: 20, scale: 0.5)
        let b = randomTensor([3], seed: 21)
        checkGradients([x, w, b], epsilon: 5e-3, rtol: 3e-2, atol: 3e-3) { values in
            let tape = values[0].tape ?? Tape()
            let input = values[0].tape == nil ? tape.watch(values[0]) : values[0]
            let out = Tensor.conv2d(input, weight: values[1], bias: values[2], padding: 1).softplus().tanh()
            let pooled = out.averagePooled2x2().upsampledNearest2x()
            let loss =
                (pooled * out).sum()
                + Tensor.linear(out.flattenedBatch(), weight: randomTensor([2, 48], seed: 22), bias: nil).sigmoid()
                .sum()
            return tape.gradients(of: loss, withRespectTo: [input], createGraph: true)[0]
        }
    }
}
