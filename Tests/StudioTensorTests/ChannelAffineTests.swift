import Testing

@testable import StudioTensor

/// The fused per-plane scale and shift against the broadcast formula it replaces.
@Suite("Channel affine")
struct ChannelAffineTests {
    /// `x * scale + shift` and its three gradients, by the fused op or by broadcasting ops.
    private func valueAndGradients(
        _ x: Tensor, _ scale: Tensor, _ shift: Tensor, cotangent: Tensor, fused: Bool
    ) -> [[Float]] {
        let tape = Tape()
        let watched = [x, scale, shift].map { tape.watch($0) }
        let y =
            fused
            ? watched[0].channelAffine(scale: watched[1], shift: watched[2]) : watched[0] * watched[1] + watched[2]
        let gradients = tape.gradients(of: (y * cotangent).sum(), withRespectTo: watched)
        return [y.scalars] + gradients.map(\.scalars)
    }

    /// Per channel and per sample, planes of 63 floats (a SIMD tail) and of 1,024 (large enough to
    /// split over threads), on one thread and on all: the same bits as the broadcast formula.
    @Test(arguments: [(4, 3, 7, 9, false), (2, 5, 1, 1, true), (8, 16, 32, 32, false), (8, 16, 32, 32, true)])
    func givesTheBroadcastFormulasBits(batch: Int, channels: Int, height: Int, width: Int, perSample: Bool) {
        let x = randomTensor([batch, channels, height, width], seed: 1)
        let rows = perSample ? batch : 1
        let scale = randomTensor([rows, channels, 1, 1], seed: 2)
        let shift = randomTensor([1, channels, 1, 1], seed: 3)
        let cotangent = randomTensor(x.shape, seed: 4)
        for threads in [1, EngineThreads.count] {
            EngineThreads.limited(to: threads) {
                let fused = valueAndGradients(x, scale, shift, cotangent: cotangent, fused: true)
                let composed = valueAndGradients(x, scale, shift, cotangent: cotangent, fused: false)
                for (index, name) in ["y", "dx", "dscale", "dshift"].enumerated() {
                    #expect(fused[index] == composed[index], "\(name) on \(threads) threads")
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
