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
}
