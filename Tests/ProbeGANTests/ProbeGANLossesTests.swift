import ProbeGAN
import StudioSupport
import StudioTensor
import Testing

@Suite("ProbeGAN losses, hand-computed")
struct ProbeGANLossesTests {
    @Test func conditionalHingeDropsUnseenFakes() {
        let real = Tensor(shape: [2], scalars: [0.5, 2])  // relu(1 - r): 0.5, 0 -> mean 0.25
        let fake = Tensor(shape: [3], scalars: [-0.5, 3, 1])  // relu(1 + f): 0.5, 4, 2
        // The second fake is unseen: (0.5 + 2) / 2 = 1.25.
        let loss = ProbeGANLosses.conditionalHinge(real: real, fake: fake, fakeSeen: [1, 0, 1])
        #expect(abs(loss.scalar - 1.5) < 1e-6)
        // Changing the unseen fake's score changes nothing.
        let moved = ProbeGANLosses.conditionalHinge(
            real: real, fake: Tensor(shape: [3], scalars: [-0.5, -40, 1]), fakeSeen: [1, 0, 1])
        #expect(moved.scalar == loss.scalar)
        // No seen fake at all: only the real term.
        #expect(abs(ProbeGANLosses.conditionalHinge(real: real, fake: fake, fakeSeen: [0, 0, 0]).scalar - 0.25) < 1e-6)
    }

    @Test func wassersteinCriticIsFakeMeanMinusRealMean() {
        let loss = ProbeGANLosses.wassersteinCritic(
            real: Tensor(shape: [2], scalars: [1, 3]), fake: Tensor(shape: [3], scalars: [0, -3, 6]))
        #expect(abs(loss.scalar - (1 - 2)) < 1e-6)
    }

    @Test func gradientPenaltyOfKnownGradients() {
        // Per-sample gradient norms 5 (3-4-0-0) and 1 (1-0-0-0): ((5 - 1)^2 + 0) / 2 = 8.
        let gradient = Tensor(shape: [2, 1, 2, 2], scalars: [3, 4, 0, 0, 1, 0, 0, 0])
        #expect(abs(ProbeGANLosses.gradientPenalty(inputGradient: gradient).scalar - 8) < 1e-4)
    }

    @Test func maskedMeanIgnoresMaskedValues() {
        let values = Tensor(shape: [4], scalars: [1, 100, 3, -7])
        #expect(abs(ProbeGANLosses.maskedMean(values, mask: [1, 0, 1, 0]).scalar - 2) < 1e-6)
        #expect(ProbeGANLosses.maskedMean(values, mask: [0, 0, 0, 0]).scalar == 0)
    }
}

@Suite("Class dilution and label sampling")
struct FakeLabelSamplerTests {
    func configuration(_ method: ProbeGANMethod, share: Double? = nil) -> ProbeGANConfiguration {
        var configuration = ProbeGANConfiguration(
            method: method, preset: .quick, classNames: ["men", "nonhuman", "women"], unseen: [2],
            inputShape: [1, 64, 64])
        configuration.unseenShare = share
        return configuration
    }

    func histogram(_ sampler: FakeLabelSampler, count: Int = 30_000) -> [Int] {
        var random = SplitMix64(seed: 5)
        var counts = [0, 0, 0]
        for label in sampler.labels(count, using: &random) { counts[label] += 1 }
        return counts
    }

    @Test func probeGANDilutesUniformlyByDefault() {
        let counts = histogram(FakeLabelSampler(configuration: configuration(.probegan)))
        for count in counts { #expect(abs(Double(count) / 30_000 - 1.0 / 3) < 0.015) }
    }

    @Test func unseenShareSetsTheTargetProportion() {
        let counts = histogram(FakeLabelSampler(configuration: configuration(.probegan, share: 0.5)))
        #expect(abs(Double(counts[2]) / 30_000 - 0.5) < 0.015)
        #expect(abs(Double(counts[0]) / 30_000 - 0.25) < 0.015)
    }

    @Test func naiveDrawsOnlyTheTargetAndGANAMNever() {
        #expect(histogram(FakeLabelSampler(configuration: configuration(.naive)))[0...1] == [0, 0])
        #expect(histogram(FakeLabelSampler(configuration: configuration(.ganAM)))[2] == 0)
        #expect(histogram(FakeLabelSampler(configuration: configuration(.oracle))).allSatisfy { $0 > 9000 })
    }

    @Test func realSamplerVisitsEveryExampleOncePerEpochAndResumes() {
        var sampler = RealBatchSampler(count: 10, seed: 3)
        let epoch = sampler.next(10)
        #expect(epoch.sorted() == Array(0..<10))
        let straight = sampler.next(7)
        var resumed = RealBatchSampler(count: 10, seed: 3, drawn: 10)
        #expect(resumed.next(7) == straight)
    }
}
