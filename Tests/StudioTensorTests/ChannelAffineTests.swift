import Testing

@testable import StudioTensor

/// The fused per-plane scale and shift against the broadcast formula it replaces.
@Suite("Channel affine")
struct ChannelAffineTests {
    /// `x * scale + shift` and its gradients (the scale's only when `watchingScale`), by the fused
    /// op or by broadcasting ops.
    private func valueAndGradients(
        _ x: Tensor, _ scale: Tensor, _ shift: Tensor, cotangent: Tensor, fused: Bool, watchingScale: Bool
    ) -> [[Float]] {
        let tape = Tape()
        let (input, factor, offset) = (tape.watch(x), watchingScale ? tape.watch(scale) : scale, tape.watch(shift))
        let y = fused ? input.channelAffine(scale: factor, shift: offset) : input * factor + offset
        let sources = watchingScale ? [input, factor, offset] : [input, offset]
        return [y.scalars] + tape.gradients(of: (y * cotangent).sum(), withRespectTo: sources).map(\.scalars)
    }

    /// Per channel and per sample, planes of 63 floats (a SIMD tail) and of 1,024 (large enough to
    /// split over threads), on one thread and on all, with a trained and with a constant scale (the
    /// input is then not kept): the same bits as the broadcast formula.
    @Test(arguments: [(4, 3, 7, 9, false), (2, 5, 1, 1, true), (8, 16, 32, 32, false), (8, 16, 32, 32, true)])
    func givesTheBroadcastFormulasBits(batch: Int, channels: Int, height: Int, width: Int, perSample: Bool) {
        let x = randomTensor([batch, channels, height, width], seed: 1)
        let rows = perSample ? batch : 1
        let scale = randomTensor([rows, channels, 1, 1], seed: 2)
        let shift = randomTensor([1, channels, 1, 1], seed: 3)
        let cotangent = randomTensor(x.shape, seed: 4)
        for threads in [1, EngineThreads.count] {
            for watchingScale in [true, false] {
                EngineThreads.limited(to: threads) {
                    let fused = valueAndGradients(
                        x, scale, shift, cotangent: cotangent, fused: true, watchingScale: watchingScale)
                    let composed = valueAndGradients(
                        x, scale, shift, cotangent: cotangent, fused: false, watchingScale: watchingScale)
                    let names = watchingScale ? ["y", "dx", "dscale", "dshift"] : ["y", "dx", "dshift"]
                    #expect(fused.count == names.count)
                    for (index, name) in names.enumerated() {
                        #expect(fused[index] == composed[index], "\(name) on \(threads) threads")
                    }
                }
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let x = randomTensor([3, 2, 3, 5], seed: 5)
        checkGradients([x, randomTensor([3, 2, 1, 1], seed: 6), randomTensor([1, 2, 1, 1], seed: 7)]) {
            $0[0].channelAffine(scale: $0[1], shift: $0[2])
        }
    }

    /// With `createGraph` the backward pass is recorded: the gradient of `dL/dx` (which depends on
    /// the scale) with respect to the scale against finite differences.
    @Test func secondOrderGradients() {
        let x = randomTensor([2, 3, 4, 4], seed: 8)
        let scale = randomTensor([1, 3, 1, 1], seed: 9)
        let shift = randomTensor([1, 3, 1, 1], seed: 10)
        checkGradients([x, scale], epsilon: 5e-3, rtol: 3e-2, atol: 3e-3) { values in
            let tape = values[0].tape ?? values[1].tape ?? Tape()
            let input = values[0].tape == nil ? tape.watch(values[0]) : values[0]
            let loss = (input.channelAffine(scale: values[1], shift: shift).tanh() * input).sum()
            return tape.gradients(of: loss, withRespectTo: [input], createGraph: true)[0]
        }
    }
}
