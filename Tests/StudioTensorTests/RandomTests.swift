import Foundation
import StudioSupport
import Testing

@testable import StudioTensor

@Suite("Seeded random tensors and the relaxed Bernoulli")
struct RandomTests {
    @Test func normalAndUniformHaveTheirMomentsAndRepeatWithTheSeed() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        let a = Tensor.randomNormal([100_001], mean: 2, standardDeviation: 3, using: &first)
        let b = Tensor.randomNormal([100_001], mean: 2, standardDeviation: 3, using: &second)
        #expect(a.scalars == b.scalars)
        let mean = a.scalars.reduce(0, +) / Float(a.count)
        let variance = a.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(a.count)
        #expect(abs(mean - 2) < 0.05 && abs(variance.squareRoot() - 3) < 0.05)
        let u = Tensor.randomUniform([100_000], lower: -1, upper: 3, using: &first)
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(abs(u.scalars.reduce(0, +) / 100_000 - 1) < 0.03)
    }

    @Test func bernoulliFollowsItsProbabilities() {
        var generator = SplitMix64(seed: 7)
        let p = Tensor(
            shape: [2, 50_000], scalars: [Float](repeating: 0.2, count: 50_000) + [Float](repeating: 0.9, count: 50_000)
        )
        let draws = Tensor.randomBernoulli(probability: p, using: &generator).scalars
        #expect(abs(draws[..<50_000].reduce(0, +) / 50_000 - 0.2) < 0.01)
        #expect(abs(draws[50_000...].reduce(0, +) / 50_000 - 0.9) < 0.01)
    }

    /// Soft samples lie in (0, 1) with mean sigmoid(logit) at temperature 1 (the logistic noise is
    /// symmetric); straight-through samples are exactly 0 or 1 yet pass gradients to the logits.
    @Test func relaxedBernoulliSoftAndStraightThrough() {
        var generator = SplitMix64(seed: 9)
        let logits = Tensor(shape: [20_000], repeating: 1.0)
        let soft = Tensor.relaxedBernoulli(logits: logits, temperature: 1, using: &generator).scalars
        #expect(soft.allSatisfy { $0 > 0 && $0 < 1 })
        let hardRate = soft.filter { $0 > 0.5 }.count
        let expected: Float = 1 / (1 + Foundation.exp(-1))
        let rate = Float(hardRate) / 20_000
        #expect(abs(rate - expected) < 0.02)
        let tape = Tape()
        let watched = tape.watch(Tensor(shape: [64], repeating: 0.3))
        let hard = Tensor.relaxedBernoulli(logits: watched, temperature: 0.5, straightThrough: true, using: &generator)
        #expect(hard.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        let gradient = tape.gradients(of: hard.sum(), withRespectTo: [watched])[0]
        #expect(gradient.scalars.allSatisfy { $0 > 0 })
    }
}
