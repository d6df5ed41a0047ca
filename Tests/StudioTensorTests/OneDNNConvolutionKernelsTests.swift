import Dispatch
import Foundation
import Testing

@testable import StudioTensor

/// The convolutions oneDNN runs against the naive seven-loop kernels, over strides, paddings and
/// kernel sizes, and several threads convolving at once giving each the same bits as alone.
@Suite("oneDNN convolutions")
struct OneDNNConvolutionKernelsTests {
    static let geometries: [ConvolutionGeometry] = [
        .init(
            batch: 2, inputChannels: 8, inputHeight: 12, inputWidth: 10, outputChannels: 16, kernelHeight: 3,
            kernelWidth: 3, stride: 1, padding: 1),
        .init(
            batch: 3, inputChannels: 16, inputHeight: 9, inputWidth: 9, outputChannels: 8, kernelHeight: 3,
            kernelWidth: 3, stride: 2, padding: 1),
        .init(
            batch: 2, inputChannels: 8, inputHeight: 6, inputWidth: 7, outputChannels: 8, kernelHeight: 1,
            kernelWidth: 1, stride: 1, padding: 0),
        .init(
            batch: 2, inputChannels: 8, inputHeight: 10, inputWidth: 10, outputChannels: 12, kernelHeight: 5,
            kernelWidth: 5, stride: 1, padding: 2),
        .init(
            batch: 2, inputChannels: 16, inputHeight: 8, inputWidth: 8, outputChannels: 8, kernelHeight: 4,
            kernelWidth: 4, stride: 2, padding: 1),
        .init(
            batch: 5, inputChannels: 32, inputHeight: 4, inputWidth: 4, outputChannels: 32, kernelHeight: 3,
            kernelWidth: 3, stride: 1, padding: 1),
    ]

    @Test(arguments: geometries)
    func forwardAndBothGradientsMatchTheNaiveLoops(_ g: ConvolutionGeometry) {
        #expect(OneDNN.handles(g) == OneDNN.enabled)
        let x = randomTensor([g.batch, g.inputChannels, g.inputHeight, g.inputWidth], seed: 40)
        let w = randomTensor([g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth], seed: 41)
        let dy = randomTensor([g.batch, g.outputChannels, g.outputHeight, g.outputWidth], seed: 42)
        var fast = [Float](repeating: .nan, count: dy.count)
        var slow = [Float](repeating: 0, count: dy.count)
        var fastDx = [Float](repeating: .nan, count: x.count)
        var slowDx = [Float](repeating: 0, count: x.count)
        var fastDw = [Float](repeating: .nan, count: w.count)
        var slowDw = [Float](repeating: 0, count: w.count)
        x.withPointer { px in
            w.withPointer { pw in
                dy.withPointer { pdy in
                    OneDNN.plan(g, .forward).run([.init(mutating: px), .init(mutating: pw), .init(&fast)])
                    OneDNN.plan(g, .inputGradient).run([.init(mutating: pdy), .init(mutating: pw), .init(&fastDx)])
                    OneDNN.plan(g, .weightGradient).run([.init(mutating: px), .init(mutating: pdy), .init(&fastDw)])
                    referenceConvolutionForward(&slow, px, pw, g)
                    referenceConvolutionBackwardData(&slowDx, pdy, pw, g)
                    referenceConvolutionBackwardFilter(&slowDw, px, pdy, g)
                }
            }
        }
        expectClose(fast, slow, rtol: 1e-4, atol: 1e-4, "forward")
        expectClose(fastDx, slowDx, rtol: 1e-4, atol: 1e-4, "input gradient")
        expectClose(fastDw, slowDw, rtol: 1e-4, atol: 1e-3, "weight gradient")
    }

    /// A convolution and its gradients through the engine's op, as a training step computes them;
    /// `variant` picks one of four geometries.
    private func convolutionAndGradients(_ variant: Int) -> [[Float]] {
        let (channels, side) = [(16, 32), (24, 16), (32, 8), (8, 64)][variant]
        let tape = Tape()
        let x = tape.watch(randomTensor([32, channels, side, side], seed: 43))
        let weight = tape.watch(randomTensor([16, channels, 3, 3], seed: 44, scale: 0.2))
        let y = Tensor.conv2d(x, weight: weight, padding: 1)
        let gradients = tape.gradients(of: (y * y).sum(), withRespectTo: [x, weight])
        return [y.scalars] + gradients.map(\.scalars)
    }

    /// Two trainings at once (`--jobs 2`) convolve on two threads at the same time: each must get
    /// exactly what it gets alone (each execution has its own scratchpad).
    @Test func threadsConvolvingAtOnceGetTheirOwnBitsEach() {
        let alone = (0..<4).map { convolutionAndGradients($0) }
        let results = UncheckedBox(UnsafeMutablePointer<[[Float]]>.allocate(capacity: 4))
        results.value.initialize(repeating: [], count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            for _ in 0..<3 { results.value[index] = convolutionAndGradients(index) }
        }
        for index in 0..<4 { #expect(results.value[index] == alone[index], "thread \(index)") }
        results.value.deinitialize(count: 4)
        results.value.deallocate()
    }
}

/// Carries a buffer into `concurrentPerform` (the tests write disjoint elements from each thread).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
