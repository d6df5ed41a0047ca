import EGBAS
import StudioModels
import StudioSupport
import StudioTensor
import Testing

@Suite("The generator's ReLU layers seen by E-GBAS")
struct ClassConditionalGeneratorTests {
    func tinyGenerator() -> Generator {
        var random = SplitMix64(seed: 11)
        let generator = Generator(
            classCount: 3, widths: [8, 8, 4], outputChannels: 1, latentFeatures: 6, embeddingFeatures: 4,
            using: &random)
        generator.setTraining(false)
        return generator
    }

    @Test func layersAreEveryReLUInForwardOrderWithTheirShapes() {
        let generator = tinyGenerator()
        let layered = ClassConditionalGenerator(generator: generator, label: 1)
        #expect(layered.layerNames == ["block1.relu1", "block1.relu2", "block2.relu1", "block2.relu2", "final.relu"])
        var random = SplitMix64(seed: 1)
        let z = Tensor.randomNormal([2, 6], using: &random)
        let shapes = (0..<5).map { layered.preActivations(z, layer: $0).shape }
        #expect(shapes == [[2, 8, 4, 4], [2, 8, 8, 8], [2, 8, 8, 8], [2, 4, 16, 16], [2, 4, 16, 16]])
    }

    @Test func anAllOnesMaskChangesNothingAndTheTapMatchesThePlainForward() {
        let generator = tinyGenerator()
        let layered = ClassConditionalGenerator(generator: generator, label: 2)
        var random = SplitMix64(seed: 2)
        let z = Tensor.randomNormal([3, 6], using: &random)
        let plain = generator(z, labels: [2, 2, 2]).scalars
        #expect(layered.outputs(z).scalars == plain)
        for layer in 0..<5 {
            let shape = layered.preActivations(z, layer: layer).shape
            let ones = Tensor(shape: shape, scalars: Array(repeating: 1, count: shape.reduce(1, *)))
            #expect(layered.outputs(z, layer: layer, mask: ones).scalars == plain)
        }
    }

    @Test func maskingTheFinalLayerEntirelyLeavesOnlyTheOutputBias() {
        let generator = tinyGenerator()
        let layered = ClassConditionalGenerator(generator: generator, label: 0)
        var random = SplitMix64(seed: 3)
        let z = Tensor.randomNormal([2, 6], using: &random)
        let zeros = Tensor(shape: [1, 4, 1, 1], scalars: [0, 0, 0, 0])
        let values = layered.outputs(z, layer: 4, mask: zeros).scalars
        #expect(Set(values).count == 1)
    }

    @Test func berOptOnTheGeneratorKeepsTheOutputWithoutSparsity() throws {
        let layered = ClassConditionalGenerator(generator: tinyGenerator(), label: 1)
        var random = SplitMix64(seed: 4)
        let z0 = Tensor.randomNormal([1, 6], using: &random)
        var optimization = BernoulliMaskOptimization()
        optimization.sparsityWeight = 0
        optimization.steps = 20
        let kept = try optimization.optimize(generator: layered, query: z0, layer: 1, seed: 5)
        #expect(kept.kept.allSatisfy { $0 })
        #expect(kept.keptOutputDistance == 0)
        optimization.sparsityWeight = 5
        optimization.steps = 100
        let sparse = try optimization.optimize(generator: layered, query: z0, layer: 1, seed: 5)
        #expect(sparse.region.boundaryCount < kept.region.boundaryCount)
        // Inactive units do not move the output when masked, so a price on theta drops them all.
        let inactiveKept = zip(sparse.preActivation, sparse.kept).filter { $0.0 < 0 && $0.1 }.count
        #expect(inactiveKept == 0)
    }
}
