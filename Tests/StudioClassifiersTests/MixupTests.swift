import StudioData
import StudioModels
import StudioSupport
import StudioTensor
import Testing

@testable import StudioClassifiers

@Suite("Mixup and per-speaker accuracy")
struct MixupTests {
    /// Beta(a, a) has mean 1/2 and variance 1/(4(2a + 1)); Beta(2, 6) has mean 1/4. 20,000 seeded
    /// draws put the sample moments within a few standard errors of those answers.
    @Test func betaDrawsHaveTheRightMoments() {
        var random = SplitMix64(seed: 11)
        for alpha: Float in [0.2, 1, 4] {
            let draws = (0..<20_000).map { _ in Double(Mixup.beta(alpha, alpha, using: &random)) }
            #expect(draws.allSatisfy { (0...1).contains($0) })
            let mean = draws.reduce(0, +) / Double(draws.count)
            let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count - 1)
            let expected = 1 / (4 * (2 * Double(alpha) + 1))
            #expect(abs(mean - 0.5) < 0.01, "alpha \(alpha): mean \(mean)")
            #expect(
                abs(variance - expected) < 0.05 * expected, "alpha \(alpha): variance \(variance), want \(expected)")
        }
        let skewed = (0..<20_000).map { _ in Double(Mixup.beta(2, 6, using: &random)) }
        #expect(abs(skewed.reduce(0, +) / 20_000 - 0.25) < 0.005)
    }

    @Test func mixingBlendsEachExampleWithItsPartner() {
        let mixup = Mixup(alpha: 0.4)
        var random = SplitMix64(seed: 3)
        let plan = mixup.plan(count: 3, using: &random)
        #expect(plan.partners.sorted() == [0, 1, 2])
        var values: [Float] = [1, 1, 2, 2, 4, 4]
        let original = values
        mixup.mix(&values, count: 3, size: 2, plan: plan)
        for example in 0..<3 {
            let want =
                plan.weight * original[2 * example] + (1 - plan.weight) * original[2 * plan.partners[example]]
            #expect(abs(values[2 * example] - want) < 1e-6 && abs(values[2 * example + 1] - want) < 1e-6)
        }
    }

    @Test func trainingWithMixupStillLearns() throws {
        let data = halvesData(count: 200, seed: 1)
        var generator = SplitMix64(seed: 2)
        let model = ResidualClassifier(inputChannels: 1, classCount: 2, widths: [4, 8], using: &generator)
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 6
        configuration.batchSize = 32
        configuration.learningRate = 3e-3
        configuration.mixup = Mixup(alpha: 0.4)
        _ = try ClassifierTrainer.train(model, data: data, configuration: configuration)
        let accuracy = ClassifierEvaluation.accuracy(model, data: halvesData(count: 100, seed: 9))
        #expect(accuracy > 0.9, "held-out accuracy \(accuracy)")
    }

    @Test func groupAccuraciesCountEachSpeakersAnswers() {
        let data = ClassificationData(
            inputs: [Float](repeating: 0, count: 5), labels: [0, 0, 1, 1, 1], groups: ["ann", "ann", "bo", "bo", "cy"],
            classNames: ["men", "women"], channels: 1, height: 1, width: 1)
        let groups = ClassifierEvaluation.groupAccuracies(predicted: [0, 1, 0, 0, 1], data: data)
        #expect(groups.map(\.group) == ["ann", "bo", "cy"])
        #expect(groups[0].correct == 1 && groups[0].count == 2 && groups[0].mistakenFor == ["women": 1])
        #expect(groups[1].accuracy == 0 && groups[1].mistakenFor == ["men": 2] && groups[1].className == "women")
        #expect(groups[2].accuracy == 1 && groups[2].mistakenFor.isEmpty)
    }
}
