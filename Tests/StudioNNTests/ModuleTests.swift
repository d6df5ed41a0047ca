import Foundation
import StudioOptimizers
import StudioSupport
import StudioTensor
import Testing

@testable import StudioNN

/// A two-layer network for module tests.
final class TinyNetwork: Module, @unchecked Sendable {
    let conv: Conv2d
    let norm: BatchNorm2d
    let head: Linear

    init(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        conv = Conv2d(inputChannels: 1, outputChannels: 3, kernelSize: 3, padding: 1, using: &generator)
        norm = BatchNorm2d(channels: 3)
        head = Linear(inputFeatures: 3, outputFeatures: 2, using: &generator)
        super.init()
    }

    override func children() -> [(String, Module)] { [("conv", conv), ("norm", norm), ("head", head)] }

    func callAsFunction(_ x: Tensor) -> Tensor { head(norm(conv(x)).relu().globalSumPooled()) }
}

@Suite("Modules, freezing, optimisers, checkpoints")
struct ModuleTests {
    @Test func namesFollowTorchStateDictKeys() {
        let network = TinyNetwork(seed: 1)
        #expect(
            network.namedParameters().map(\.0) == [
                "conv.weight", "conv.bias", "norm.weight", "norm.bias", "head.weight", "head.bias",
            ])
        #expect(network.namedBuffers().map(\.0) == ["norm.running_mean", "norm.running_var"])
        #expect(network.parameterCount == 27 + 3 + 3 + 3 + 6 + 2)
    }

    /// A frozen classifier passes gradients to its input, yet its weights stay bit-identical.
    @Test func frozenModulePassesInputGradientsButNeverChanges() throws {
        let classifier = TinyNetwork(seed: 2)
        classifier.setFrozen(true)
        classifier.setTraining(false)
        let before = classifier.namedParameters().map { $0.1.value.scalars }
        var generator = SplitMix64(seed: 3)
        let tape = Tape()
        let trainable = classifier.watch(on: tape)
        #expect(trainable.isEmpty)
        let input = tape.watch(Tensor.randomNormal([2, 1, 4, 4], using: &generator))
        let loss = Tensor.crossEntropy(logits: classifier(input), labels: [0, 1])
        let gradient = tape.gradients(of: loss, withRespectTo: [input])[0]
        #expect(gradient.scalars.contains { $0 != 0 })
        let optimizer = Adam(learningRate: 0.1)
        try optimizer.update(
            classifier.namedParameters().map(\.1),
            gradients: classifier.namedParameters().map { Tensor.ones($0.1.value.shape) })
        #expect(classifier.namedParameters().map { $0.1.value.scalars } == before)
    }

    /// Known answer: torch.optim.Adam, 1,000 steps on a least-squares problem, betas (0.9, 0.999)
    /// and (0, 0.999), to 1e-5 relative.
    @Test func adamMatchesTorchAfter1000Steps() throws {
        let f = try torchFixture("adam_1000_steps.json")
        let a = Tensor(shape: [8, 5], scalars: try floats(f, "a"))
        let target = Tensor(shape: [8, 1], scalars: try floats(f, "target"))
        for run in try #require(f["runs"] as? [[String: Any]]) {
            let beta1 = Float(try #require(run["beta1"] as? Double))
            let parameter = Parameter(Tensor(shape: [5, 1], scalars: try floats(run, "start")))
            let optimizer = Adam(learningRate: 1e-2, beta1: beta1, beta2: 0.999)
            for _ in 0..<1000 {
                let tape = Tape()
                let w = tape.watch(parameter.value)
                let residual = Tensor.matmul(a, w) - target
                let loss = (residual * residual).mean()
                try optimizer.update([parameter], gradients: tape.gradients(of: loss, withRespectTo: [w]))
            }
            expectNear(parameter.value.scalars, try floats(run, "final"), rtol: 1e-5, atol: 1e-6, "Adam beta1=\(beta1)")
        }
    }

    @Test func sgdWithMomentumAndNaNGuard() throws {
        let parameter = Parameter(Tensor(shape: [2], scalars: [1, -1]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        try sgd.update([parameter], gradients: [Tensor(shape: [2], scalars: [0.5, 0.5])])
        // First step: velocity = g + wd * p = [0.51, 0.49].
        expectNear(parameter.value.scalars, [1 - 0.051, -1 - 0.049], "first step")
        try sgd.update([parameter], gradients: [Tensor(shape: [2], scalars: [0.5, 0.5])])
        let v0: Float = 0.9 * 0.51 + 0.5 + 0.01 * (1 - 0.051)
        expectNear([parameter.value.scalars[0]], [1 - 0.051 - 0.1 * v0], "second step")
        let before = parameter.value.scalars
        #expect(throws: OptimizerError.self) {
            try sgd.update([parameter], gradients: [Tensor(shape: [2], scalars: [.nan, 0])])
        }
        #expect(parameter.value.scalars == before)
        let adam = Adam()
        #expect(throws: OptimizerError.self) {
            try adam.update([parameter], gradients: [Tensor(shape: [2], scalars: [.infinity, 0])])
        }
        #expect(parameter.value.scalars == before)
    }

    @Test func exponentialMovingAverageBlendsParametersAndBuffers() {
        let model = TinyNetwork(seed: 4)
        let shadow = TinyNetwork(seed: 5)
        let old = shadow.conv.weight.value.scalars
        let new = model.conv.weight.value.scalars
        model.norm.runningMean.value = Tensor.ones([3])
        ExponentialMovingAverage(decay: 0.75).update(shadow: shadow, from: model)
        expectNear(shadow.conv.weight.value.scalars, zip(old, new).map { 0.75 * $0 + 0.25 * $1 }, "weights")
        expectNear(shadow.norm.runningMean.value.scalars, [0.25, 0.25, 0.25], "buffers")
    }
}
