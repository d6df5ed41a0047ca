import Foundation
import StudioEvaluation
import Testing

@Suite("Pitch classifier")
struct PitchClassifierTests {
    /// Men around 120 Hz and women around 220 Hz, voiced; nonhuman mostly without a pitch.
    static func observations(count: Int, seed: UInt64) -> (observations: [PitchObservation], labels: [Int]) {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992.0
        }
        func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        var observations = [PitchObservation]()
        var labels = [Int]()
        for index in 0..<count {
            let label = index % 3
            switch label {
            case 0:
                observations.append(PitchObservation(medianF0: Float(120 * exp(0.12 * normal())), voicedShare: 0.8))
            case 1:
                observations.append(PitchObservation(medianF0: Float(220 * exp(0.12 * normal())), voicedShare: 0.8))
            default:
                let pitched = uniform() < 0.2
                observations.append(
                    PitchObservation(
                        medianF0: pitched ? Float(300 * exp(0.5 * normal())) : nil,
                        voicedShare: Float(pitched ? 0.3 : 0.05 * uniform())))
            }
            labels.append(label)
        }
        return (observations, labels)
    }

    @Test("fitted on one sample, it separates men and women on another, and recognises unpitched sounds")
    func separates() throws {
        let train = Self.observations(count: 600, seed: 1)
        let classifier = try PitchClassifier(
            observations: train.observations, labels: train.labels, classNames: ["men", "women", "nonhuman"])
        let test = Self.observations(count: 600, seed: 2)
        var correct = [0, 0, 0]
        for (observation, label) in zip(test.observations, test.labels)
        where classifier.predict(observation) == label {
            correct[label] += 1
        }
        // Two log-normal pitches 0.6 nats apart with spread 0.12 overlap by about 0.6%.
        #expect(correct[0] >= 190 && correct[1] >= 190, "\(correct)")
        // Unpitched clips can only be nonhuman.
        #expect(correct[2] >= 150, "\(correct)")
        #expect(classifier.models[2].pitchedCount > 0 && classifier.models[2].unpitchedCount > 100)
        // A 250 Hz drone is a woman to pitch; a 100 Hz one a man; among men and women only, a
        // 300 Hz voice is a woman even where nonhuman would win overall.
        #expect(classifier.predict(PitchObservation(medianF0: 250, voicedShare: 0.8)) == 1)
        #expect(classifier.predict(PitchObservation(medianF0: 100, voicedShare: 0.8)) == 0)
        #expect(classifier.predict(PitchObservation(medianF0: 1_000, voicedShare: 0.3), among: [0, 1]) == 1)
        #expect(classifier.predict(PitchObservation(medianF0: nil, voicedShare: 0.02)) == 2)
    }

    @Test("a class that never has a pitch, and a class without clips")
    func degenerateClasses() throws {
        let unvoiced = try PitchClassifier(
            observations: [
                PitchObservation(medianF0: 200, voicedShare: 0.9), PitchObservation(medianF0: 210, voicedShare: 0.8),
                PitchObservation(medianF0: nil, voicedShare: 0), PitchObservation(medianF0: nil, voicedShare: 0.02),
            ], labels: [0, 0, 1, 1], classNames: ["voice", "noise"])
        #expect(unvoiced.models[1].pitchedCount == 0)
        #expect(unvoiced.predict(PitchObservation(medianF0: 400, voicedShare: 0.5)) == 0)
        #expect(unvoiced.logLikelihoods(PitchObservation(medianF0: 205, voicedShare: 0.85)).allSatisfy { $0.isFinite })
        #expect(throws: EvaluationError.emptyClass(name: "empty")) {
            try PitchClassifier(
                observations: [PitchObservation(medianF0: 200, voicedShare: 0.9)], labels: [0],
                classNames: ["voice", "empty"])
        }
    }
}

@Suite("Distribution summaries and speech-likeness statistics")
struct SpeechLikenessTests {
    @Test("quartiles match numpy.percentile's linear interpolation")
    func quartiles() {
        // numpy.percentile([7, 1, 3, 10, 4], [25, 50, 75]) == [3., 4., 7.]
        let odd = DistributionSummary([7, 1, 3, 10, 4])
        #expect(odd.lowerQuartile == 3 && odd.median == 4 && odd.upperQuartile == 7 && odd.count == 5)
        // numpy.percentile([1, 2, 3, 4], [25, 50, 75]) == [1.75, 2.5, 3.25]
        let even = DistributionSummary([4, 3, 2, 1, .nan])
        #expect(even.lowerQuartile == 1.75 && even.median == 2.5 && even.upperQuartile == 3.25 && even.count == 4)
        #expect(DistributionSummary([]).median == nil)
    }

    @Test("median pairwise distance: a known answer, and thinning keeps the answer close")
    func pairwise() throws {
        // Rows 0, 1, 3 (width 1): pair distances 1, 3, 2; median 2.
        #expect(SpeechLikeness.medianPairwiseDistance([0, 1, 3], width: 1) == 2)
        // Width 2: rows (0,0), (3,4): RMS difference sqrt((9 + 16) / 2).
        let two = try #require(SpeechLikeness.medianPairwiseDistance([0, 0, 3, 4], width: 2))
        #expect(abs(two - (12.5).squareRoot()) < 1e-9)
        #expect(SpeechLikeness.medianPairwiseDistance([1, 2], width: 2) == nil)
        let many = (0..<400).map { Float($0) }
        let full = try #require(SpeechLikeness.medianPairwiseDistance(many, width: 1))
        let thinned = try #require(SpeechLikeness.medianPairwiseDistance(many, width: 1, maximumPairs: 1_000))
        // The median |i - j| over all pairs of 0..<400 is about 117.
        #expect(abs(full - 117) <= 1 && abs(thinned - full) < 5, "\(full) \(thinned)")
    }

    @Test("standardisation removes units: a feature scaled by 1000 leaves the distance unchanged")
    func standardised() throws {
        let a: [Float] = [0, 1, 1, 2, 2, 0, 3, 3, 1, 1]
        let b: [Float] = [1, 0, 2, 2, 3, 1, 4, 5, 2, 0]
        let scale = { (rows: [Float]) in rows.enumerated().map { $0.offset % 2 == 0 ? $0.element * 1000 : $0.element } }
        let plain = try SpeechLikeness.distance(a, b, width: 2, reference: Standardization(rows: a + b, width: 2))
        let scaled = try SpeechLikeness.distance(
            scale(a), scale(b), width: 2, reference: Standardization(rows: scale(a + b), width: 2))
        #expect(plain > 0.1 && abs(plain - scaled) < 1e-4 * plain, "\(plain) \(scaled)")
        #expect(throws: EvaluationError.self) { try Standardization(rows: [1, 2], width: 2) }
    }
}
