import ProbeGAN
import StudioModels
import StudioOptimizers
import StudioSupport
import StudioTensor
import Testing

@Suite("Differentiable augmentation of the discriminator's inputs")
struct DiscriminatorAugmentationTests {
    static func images(_ count: Int, frames: Int = 16) -> Tensor {
        var random = SplitMix64(seed: 3)
        return Tensor(
            shape: [count, 1, 4, frames], scalars: (0..<(count * 4 * frames)).map { _ in random.nextUnitFloat() })
    }

    @Test func eachImageIsRotatedInTimeAndShiftedInLevelByItsOwnDraw() {
        let x = Self.images(8)
        var random = SplitMix64(seed: 1)
        let out = DiscriminatorAugmentation(timeShiftShare: 0.25, gain: 0.1).apply(x, using: &random)
        #expect(out.shape == x.shape)
        var offsets = [Float]()
        for sample in 0..<8 {
            // A circular shift keeps every row's values; the level change adds one offset to all.
            let before = x.slice(axis: 0, sample..<(sample + 1)).scalars
            let after = out.slice(axis: 0, sample..<(sample + 1)).scalars
            let offset = (after.reduce(0, +) - before.reduce(0, +)) / Float(before.count)
            #expect(abs(offset) <= 0.1 + 1e-5)
            offsets.append(offset)
            let shifted = after.map { $0 - offset }
            let matches = (-4...4).contains { shift in
                let rolled = x.slice(axis: 0, sample..<(sample + 1)).rolledAlongLastAxis(shifts: [shift]).scalars
                return zip(rolled, shifted).allSatisfy { abs($0 - $1) < 1e-5 }
            }
            #expect(matches, "sample \(sample) is not a shift of at most 4 of 16 frames")
        }
        #expect(Set(offsets.map { ($0 * 1000).rounded() }).count > 1, "every image drew the same level")
        // Seeded: the same draws again.
        var again = SplitMix64(seed: 1)
        #expect(
            DiscriminatorAugmentation(timeShiftShare: 0.25, gain: 0.1).apply(x, using: &again).scalars == out.scalars)
        // Nothing to do: the images themselves.
        var idle = SplitMix64(seed: 1)
        #expect(DiscriminatorAugmentation(timeShiftShare: 0, gain: 0).apply(x, using: &idle).scalars == x.scalars)
    }

    /// The generator learns through the augmentation: a G step with it moves the generator, and
    /// differently from a step without it.
    @Test func theGeneratorStepsThroughTheAugmentation() throws {
        func step(_ augmentation: DiscriminatorAugmentation?) throws -> [[Float]] {
            let (step, generator) = TinyRun.step(classifierWeight: 0, augmentation: augmentation)
            var random = SplitMix64(seed: 4)
            let (real, labels) = TinyRun.data().batch(Array(0..<6))
            _ = try step.discriminatorStep(real: real, realLabels: labels, using: &random)
            _ = try step.generatorStep(batch: 6, using: &random)
            return TinyRun.values(generator)
        }
        let start = TinyRun.values(ProbeGANModels.generator(TinyRun.configuration(), seed: 5))
        let augmented = try step(DiscriminatorAugmentation(timeShiftShare: 0.25, gain: 0.2))
        #expect(augmented != start, "no gradient reached the generator through the augmentation")
        #expect(augmented != (try step(nil)))
        #expect(augmented == (try step(DiscriminatorAugmentation(timeShiftShare: 0.25, gain: 0.2))))
    }
}
