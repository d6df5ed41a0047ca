import ProbeGAN
import StudioModels
import StudioOptimizers
import StudioSupport
import StudioTensor
import Testing

/// Which discriminator head learns from which fakes: the paper's equations (1)-(2). D_c, the
/// projection head, judges real examples and seen-class fakes only, so no gradient from an
/// unseen-class fake may reach it; D_u, the unconditional head, judges every fake.
@Suite("ProbeGAN step: the heads and their fakes")
struct ProbeGANStepTests {
    static let fakeLabels = [0, 2, 1, 2, 0, 1]

    /// The discriminator's terms for a tiny batch, with the fakes watched on the tape.
    static func terms(method: ProbeGANMethod) -> (
        terms: (hinge: Tensor, wasserstein: Tensor, penalty: Tensor), fake: Tensor, tape: Tape
    ) {
        let configuration = TinyRun.configuration(method)
        let step = ProbeGANStep(
            generator: ProbeGANModels.generator(configuration, seed: 5),
            discriminator: ProbeGANModels.discriminator(configuration, seed: 3), classifier: TinyRun.classifier(),
            method: method, labelSampler: FakeLabelSampler(configuration: configuration), seenClasses: [0, 1],
            generatorOptimizer: Adam(learningRate: 1e-4), discriminatorOptimizer: Adam(learningRate: 1e-4))
        let (real, realLabels) = TinyRun.data().batch(Array(0..<6))
        var random = SplitMix64(seed: 9)
        let tape = Tape()
        let fake = tape.watch(Tensor.randomNormal([6, 1, 16, 16], using: &random))
        var stepRandom = SplitMix64(seed: 1)
        let terms = step.discriminatorTerms(
            real: real, realLabels: realLabels, fake: fake, fakeLabels: fakeLabels, tape: tape, using: &stepRandom)
        return (terms, fake, tape)
    }

    /// The gradient of one discriminator term with respect to each fake image, one row per fake.
    static func fakeGradients(_ term: ((hinge: Tensor, wasserstein: Tensor, penalty: Tensor)) -> Tensor) -> [[Float]] {
        let (terms, fake, tape) = Self.terms(method: .probegan)
        let gradient = tape.gradients(of: term(terms), withRespectTo: [fake])[0].scalars
        return (0..<6).map { Array(gradient[($0 * 256)..<(($0 + 1) * 256)]) }
    }

    @Test("D_c's hinge: no gradient from unseen-class fakes, some from every seen-class fake")
    func conditionalHeadSeesSeenFakesOnly() {
        let rows = Self.fakeGradients { $0.hinge }
        for (row, label) in zip(rows, Self.fakeLabels) {
            let magnitude = row.map(abs).max() ?? 0
            if label == 2 {
                #expect(magnitude == 0, "an unseen-class fake moved D_c (\(magnitude))")
            } else {
                #expect(magnitude > 1e-6, "a seen-class fake of class \(label) gave D_c no gradient")
            }
        }
    }

    @Test("D_u's critic: a gradient from every fake, of every class")
    func unconditionalHeadSeesEveryFake() {
        let rows = Self.fakeGradients { $0.wasserstein }
        #expect(rows.allSatisfy { ($0.map(abs).max() ?? 0) > 1e-6 })
    }

    @Test("NAIVE has no D_c term at all; GAN-AM no D_u term")
    func baselinesDropTheirHead() {
        let naive = Self.terms(method: .naive).terms
        #expect(naive.hinge.scalar == 0 && naive.wasserstein.scalar != 0)
        let ganAM = Self.terms(method: .ganAM).terms
        #expect(ganAM.wasserstein.scalar == 0 && ganAM.penalty.scalar == 0 && ganAM.hinge.scalar != 0)
    }

    /// The generator's parameters after one G step from the same start, with lambda_g 2 and the
    /// given weight on seen-class fakes.
    static func generatorAfterStep(seenClassifierWeight: Float?) throws -> (values: [[Float]], loss: Float) {
        let (step, generator) = TinyRun.step(classifierWeight: 2, seenClassifierWeight: seenClassifierWeight)
        var random = SplitMix64(seed: 4)
        let losses = try step.generatorStep(batch: 12, using: &random)
        return (TinyRun.values(generator), losses.classification)
    }

    @Test("A seen-class classifier weight equal to lambda_g is the paper's loss; another weight changes the step")
    func seenClassifierWeight() throws {
        let paper = try Self.generatorAfterStep(seenClassifierWeight: nil)
        let same = try Self.generatorAfterStep(seenClassifierWeight: 2)
        let none = try Self.generatorAfterStep(seenClassifierWeight: 0)
        let largest = zip(paper.values, same.values).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 1
        #expect(largest < 1e-5, "weight 2 on every class differs from lambda_g 2 by \(largest)")
        // The logged cross-entropy is the unweighted one either way.
        #expect(abs(paper.loss - none.loss) < 1e-6)
        #expect(paper.values != none.values, "dropping the seen classes' term changed nothing")
    }
}
