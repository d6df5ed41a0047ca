import ProbeGAN
import StudioData
import StudioModels
import StudioSupport
import StudioTensor
import Testing

@Suite("Leak-free selection: score, seen-class fidelity and the tie rule")
struct SelectionScoreTests {
    func result(score: Float, distance: Double?) -> SelectionScore.Result {
        SelectionScore.Result(
            recognition: [], robustRecognition: [], score: score, seenDistance: [distance],
            meanSeenDistance: distance)
    }

    @Test func aClearlyHigherScoreWinsWhateverTheDistance() {
        let best: (Float, Double?) = (0.80, 1.0)
        #expect(result(score: 0.90, distance: 9.0).isImprovement(over: best, tolerance: 0.02))
        #expect(!result(score: 0.70, distance: 0.1).isImprovement(over: best, tolerance: 0.02))
    }

    @Test func nearTiesAreBrokenByTheSeenClassDistance() {
        let best: (Float, Double?) = (0.99, 5.0)
        #expect(result(score: 0.98, distance: 4.0).isImprovement(over: best, tolerance: 0.02))
        #expect(!result(score: 0.995, distance: 6.0).isImprovement(over: best, tolerance: 0.02))
        #expect(result(score: 0.5, distance: nil).isImprovement(over: nil, tolerance: 0.02))
    }

    @Test func withoutDistancesOnlyAHigherScoreWins() {
        let best: (Float, Double?) = (0.99, nil)
        #expect(!result(score: 0.99, distance: nil).isImprovement(over: best, tolerance: 0.02))
        #expect(result(score: 0.995, distance: nil).isImprovement(over: best, tolerance: 0.02))
    }

    @Test func realExamplesAreCloserToTheirClassThanToAnother() throws {
        // Two classes of tiny images: bright and dark. A fixed random classifier's features of
        // fresh bright images are closer to the bright reference than dark images are.
        var random = SplitMix64(seed: 3)
        func images(_ level: Float, count: Int) -> [Float] {
            (0..<(count * 64)).map { _ in level + 0.1 * random.nextUnitFloat() }
        }
        let inputs = images(0.8, count: 64) + images(-0.8, count: 64)
        let data = ClassificationData(
            inputs: inputs, labels: Array(repeating: 0, count: 64) + Array(repeating: 1, count: 64),
            groups: (0..<128).map { "g\($0)" }, classNames: ["bright", "dark"], channels: 1, height: 8, width: 8)
        var weights = SplitMix64(seed: 7)
        let classifier = ResidualClassifier(inputChannels: 1, classCount: 2, widths: [4, 8], using: &weights)
        var score = SelectionScore(steps: 1)
        score.seenReference = SelectionScore.reference(data: data, classifier: classifier, seed: 1)
        let bright = Tensor(shape: [32, 1, 8, 8], scalars: images(0.8, count: 32))
        let dark = Tensor(shape: [32, 1, 8, 8], scalars: images(-0.8, count: 32))
        let matched = try score.evaluate(samples: [bright, dark], classifier: classifier, seed: 2)
        let swapped = try score.evaluate(samples: [dark, bright], classifier: classifier, seed: 2)
        let matchedDistance = try #require(matched.meanSeenDistance)
        let swappedDistance = try #require(swapped.meanSeenDistance)
        #expect(matchedDistance < swappedDistance)

        // A model-free fidelity is measured and logged either way, and decides near-ties only
        // when asked to.
        struct FixedFidelity: SeenClassFidelity {
            func measure(_ samples: [Tensor?], seed: UInt64) throws -> FidelityMeasurement {
                FidelityMeasurement(
                    distances: samples.indices.map { Double($0) + 1.5 },
                    statistics: samples.map { $0.map { ["clips": Double($0.shape[0])] } })
            }
        }
        score.fidelity = FixedFidelity()
        let logged = try score.evaluate(samples: [bright, dark], classifier: classifier, seed: 2)
        #expect(logged.meanSeenDistance == matched.meanSeenDistance)
        #expect(logged.fidelity?.distances == [1.5, 2.5])
        #expect(logged.fidelity?.statistics.first??["clips"] == 32)
        score.fidelityBreaksTies = true
        let deciding = try score.evaluate(samples: [bright, dark], classifier: classifier, seed: 2)
        #expect(deciding.meanSeenDistance == 2.0)
        #expect(deciding.score == matched.score)
    }
}
