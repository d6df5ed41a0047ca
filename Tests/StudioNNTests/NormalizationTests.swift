import Foundation
import StudioSupport
import StudioTensor
import Testing

@testable import StudioNN

func torchFixture(_ name: String) throws -> [String: Any] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("Corpora/reference/torch/\(name)"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func floats(_ fixture: [String: Any], _ key: String) throws -> [Float] {
    try #require(fixture[key] as? [Double], "no \(key)").map { Float($0) }
}

func expectNear(
    _ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-5, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
    for index in 0..<min(actual.count, expected.count)
    where abs(actual[index] - expected[index]) > atol + rtol * abs(expected[index]) {
        Issue.record(
            "\(what): element \(index) is \(actual[index]), expected \(expected[index])", sourceLocation: sourceLocation
        )
        return
    }
}

@Suite("Batch norm, conditional batch norm, spectral norm")
struct NormalizationTests {
    /// Known answer: torch `BatchNorm2d(3)` training forward, gradients, running statistics, then eval.
    @Test func batchNormMatchesTorchInBothModes() throws {
        let f = try torchFixture("batchnorm2d.json")
        let layer = BatchNorm2d(channels: 3)
        layer.weight!.value = Tensor(shape: [3], scalars: try floats(f, "weight"))
        layer.bias!.value = Tensor(shape: [3], scalars: try floats(f, "bias"))
        let tape = Tape()
        let parameters = layer.watch(on: tape)
        let x = tape.watch(Tensor(shape: [4, 3, 5, 5], scalars: try floats(f, "x")))
        let y = layer(x)
        expectNear(y.scalars, try floats(f, "y"), "training forward")
        let grads = tape.gradients(
            of: (y * Tensor(shape: y.shape, scalars: try floats(f, "c"))).sum(), withRespectTo: [x] + parameters)
        expectNear(grads[0].scalars, try floats(f, "gx"), rtol: 1e-4, atol: 1e-5, "dx")
        expectNear(grads[1].scalars, try floats(f, "gw"), rtol: 1e-4, atol: 1e-4, "dweight")
        expectNear(grads[2].scalars, try floats(f, "gb"), rtol: 1e-4, atol: 1e-4, "dbias")
        expectNear(layer.runningMean.value.scalars, try floats(f, "runningMean"), "running mean")
        expectNear(layer.runningVariance.value.scalars, try floats(f, "runningVar"), "running variance (unbiased)")
        layer.setTraining(false)
        expectNear(layer(x.detached).scalars, try floats(f, "yEval"), "evaluation forward")
    }

    @Test func conditionalBatchNormAppliesPerSampleGainAndBias() {
        var generator = SplitMix64(seed: 1)
        let layer = ConditionalBatchNorm2d(channels: 2, conditionFeatures: 3, using: &generator)
        // Zero linear layers: gain 1, bias 0, so the result is plain batch norm.
        for (_, parameter) in layer.gain.namedParameters() + layer.bias.namedParameters() {
            parameter.value = Tensor.zeros(parameter.value.shape)
        }
        let x = Tensor.randomNormal([4, 2, 3, 3], using: &generator)
        let condition = Tensor.randomNormal([4, 3], using: &generator)
        let plain = BatchNorm2d(channels: 2, affine: false)(x)
        expectNear(layer(x, condition: condition).scalars, plain.scalars, "zero condition layers")
        // A bias row of ones on channel 1 shifts only channel 1, by 1 for every sample.
        layer.bias.bias!.value = Tensor(shape: [2], scalars: [0, 1])
        let shifted = layer(x, condition: condition)
        let difference = (shifted - plain).scalars
        #expect(
            difference.enumerated().allSatisfy { index, value in abs(value - ((index / 9) % 2 == 1 ? 1 : 0)) < 1e-5 })
    }

    /// After power iteration, the normalised weight's largest singular value is 1.
    @Test func spectralNormalisationScalesToUnitNorm() {
        var generator = SplitMix64(seed: 2)
        let layer = Linear(inputFeatures: 6, outputFeatures: 4, spectralNorm: true, using: &generator)
        layer.weight.value = layer.weight.value * 7
        for _ in 0..<20 { _ = layer(Tensor.zeros([1, 6])) }
        let normalized = layer.effectiveWeight()
        // Largest singular value of W/sigma by an independent power iteration on W^T W.
        var vector = Tensor.ones([6, 1])
        var sigma: Float = 0
        for _ in 0..<200 {
            let next = Tensor.matmul(normalized, Tensor.matmul(normalized, vector), transposeA: true)
            let norm = next.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
            sigma = norm.squareRoot()
            vector = next / norm
        }
        #expect(abs(sigma - 1) < 1e-3, "largest singular value \(sigma)")
    }

    @Test func spectralNormGradientFlowsThroughSigma() {
        var generator = SplitMix64(seed: 3)
        let layer = Conv2d(
            inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1, spectralNorm: true, using: &generator)
        _ = layer(Tensor.zeros([1, 2, 4, 4]))
        layer.setTraining(false)  // freeze u and v so the function is deterministic
        let x = Tensor.randomNormal([2, 2, 4, 4], using: &generator)
        let weight = layer.weight.value
        func loss(_ w: Tensor) -> Float {
            layer.weight.value = w
            return layer(x).tanh().sum().scalar
        }
        let tape = Tape()
        let watched = layer.watch(on: tape)
        let analytic = tape.gradients(of: layer(x).tanh().sum(), withRespectTo: [watched[0]])[0].scalars
        for index in [0, 7, 20, 53] {
            var plus = weight.scalars
            var minus = weight.scalars
            plus[index] += 1e-2
            minus[index] -= 1e-2
            let numeric =
                (loss(Tensor(shape: weight.shape, scalars: plus)) - loss(Tensor(shape: weight.shape, scalars: minus)))
                / 2e-2
            #expect(
                abs(analytic[index] - numeric) < 2e-2 * max(1, abs(numeric)),
                "weight \(index): \(analytic[index]) vs \(numeric)")
        }
    }
}

@Suite("Spectral norm against PyTorch")
struct SpectralNormKnownAnswerTests {
    /// With the power-iteration vectors fixed, `W / (u^T W v)` and its gradient match torch.
    @Test func fixedVectorsMatchTorch() throws {
        let cases = try #require(try torchFixture("ops.json")["cases"] as? [[String: Any]])
        let item = try #require(cases.first { $0["op"] as? String == "spectralNormFixedVectors" })
        var generator = SplitMix64(seed: 1)
        let layer = Linear(inputFeatures: 6, outputFeatures: 4, bias: false, spectralNorm: true, using: &generator)
        let normalization = try #require(layer.spectralNorm)
        normalization.u.value = Tensor(shape: [4], scalars: try floats(item, "u"))
        normalization.v.value = Tensor(shape: [6], scalars: try floats(item, "v"))
        layer.setTraining(false)
        layer.weight.value = Tensor(shape: [4, 6], scalars: try floats(item, "x"))
        let tape = Tape()
        let watched = layer.watch(on: tape)
        let normalized = layer.effectiveWeight()
        expectNear(normalized.scalars, try floats(item, "y"), "W / sigma")
        let c = Tensor(shape: [4, 6], scalars: try floats(item, "c"))
        let gradient = tape.gradients(of: (normalized * c).sum(), withRespectTo: watched)[0]
        expectNear(gradient.scalars, try floats(item, "gx"), rtol: 1e-4, atol: 1e-5, "gradient through sigma")
    }
}
