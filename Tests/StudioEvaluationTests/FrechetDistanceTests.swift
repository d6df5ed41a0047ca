import Foundation
import StudioEvaluation
import StudioSupport
import Testing

@Suite("Frechet distance")
struct FrechetDistanceTests {
    /// Samples of N(mean, diag(variances)) from a seeded Box-Muller generator.
    func gaussian(count: Int, mean: [Double], standardDeviations: [Double], seed: UInt64) -> [Float] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992.0
        }
        var values = [Float]()
        for _ in 0..<count {
            for (m, s) in zip(mean, standardDeviations) {
                let normal = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
                values.append(Float(m + s * normal))
            }
        }
        return values
    }

    @Test("identical sets are at distance 0")
    func identical() throws {
        let a = gaussian(count: 500, mean: [0, 1, 2], standardDeviations: [1, 2, 0.5], seed: 1)
        #expect(try FrechetDistance.distance(a, a, width: 3) < 1e-8)
    }

    @Test("a NaN or infinite feature is named, not handed to the eigensolver")
    func nonFiniteFeatures() throws {
        var a = gaussian(count: 50, mean: [0, 1, 2], standardDeviations: [1, 2, 0.5], seed: 1)
        let b = a
        a[4] = .nan
        a[10] = .infinity
        #expect(throws: EvaluationError.nonFiniteFeatures(rows: 2)) { try FrechetDistance.distance(a, b, width: 3) }
    }

    @Test("diagonal Gaussians match the closed form |mu1-mu2|^2 + sum (s1 - s2)^2")
    func closedForm() throws {
        let width = 4
        let stats1 = try GaussianStatistics(
            features: gaussian(count: 40_000, mean: [0, 0, 0, 0], standardDeviations: [1, 1, 1, 1], seed: 2),
            width: width)
        let stats2 = try GaussianStatistics(
            features: gaussian(count: 40_000, mean: [1, 0, -2, 0], standardDeviations: [2, 1, 3, 0.5], seed: 3),
            width: width)
        // Closed form for diagonal covariances: 1 + 4 = 5 from the means, (1 + 0 + 4 + 0.25) from the spreads.
        let expected = 5.0 + 5.25
        let measured = try FrechetDistance.distance(stats1, stats2)
        #expect(abs(measured - expected) < 0.15, "measured \(measured), expected \(expected)")
    }

    @Test("a full covariance matches the exact matrix formula computed by hand (2x2)")
    func fullCovariance() throws {
        // Exact statistics from four points each: S1 = identity-like, S2 correlated.
        let a: [Float] = [1, 0, -1, 0, 0, 1, 0, -1]  // mean 0, covariance diag(2/3, 2/3)
        let b: [Float] = [1, 1, -1, -1, 1, -1, -1, 1].map { $0 * 2 }  // mean 0, covariance diag(16/3, 16/3)
        // tr S1 + tr S2 - 2 tr sqrt(S1 S2) = 4/3 + 32/3 - 2 * 2 * sqrt(32/9) for commuting diagonal matrices.
        let expected = 4.0 / 3 + 32.0 / 3 - 4 * (32.0 / 9).squareRoot()
        #expect(abs(try FrechetDistance.distance(a, b, width: 2) - expected) < 1e-9)
    }

    /// Covariances that do not commute (S1 S2 != S2 S1), against scipy 1.17: the exact statistics
    /// (numpy mean and cov, ddof 1) of these integer rows and `|m1 - m2|^2 + tr S1 + tr S2 -
    /// 2 tr(scipy.linalg.sqrtm(S1 @ S2))` = 1.19428431302142.
    @Test("non-commuting full covariances match scipy's sqrtm formula")
    func nonCommutingCovariances() throws {
        let a: [Float] = [1, 0, 2, 0, 1, -1, 2, 2, 0, -1, 0, 1, 0, -2, 1, 1, 1, 1]
        let b: [Float] = [2, 1, 0, 1, -1, 1, 0, 0, 3, 3, 1, -1, 1, 2, 2, -1, 0, 0, 2, -1, 1]
        #expect(abs(try FrechetDistance.distance(a, b, width: 3) - 1.194_284_313_021_42) < 1e-9)
        #expect(abs(try FrechetDistance.distance(b, a, width: 3) - 1.194_284_313_021_42) < 1e-9)
    }

    /// The percentile bootstrap covers a known answer about as often as it claims: the difference
    /// of two normal means (true value -0.5), 300 independent experiments of 100 and 120 draws.
    @Test("bootstrap intervals cover the true value about 95% of the time")
    func bootstrapCoverage() {
        var random = SplitMix64(seed: 17)
        var covered = 0
        for experiment in 0..<300 {
            let a = gaussian(count: 100, mean: [0], standardDeviations: [1], seed: UInt64(2 * experiment + 100))
            let b = gaussian(count: 120, mean: [0.5], standardDeviations: [1], seed: UInt64(2 * experiment + 101))
            let interval = Bootstrap.percentileInterval(a, b, width: 1, resamples: 200, using: &random) {
                Double($0.reduce(0, +)) / Double($0.count) - Double($1.reduce(0, +)) / Double($1.count)
            }
            if interval[0] <= -0.5 && -0.5 <= interval[1] { covered += 1 }
        }
        // 95% of 300 is 285; three binomial standard deviations are about 11.
        #expect(covered >= 273 && covered <= 297, "covered \(covered) of 300")
    }

    @Test("too few samples or mismatched widths are errors")
    func errors() throws {
        #expect(throws: EvaluationError.tooFewSamples(count: 1, needed: 2)) {
            try GaussianStatistics(features: [1, 2], width: 2)
        }
        let a = try GaussianStatistics(features: [1, 2, 3, 4], width: 2)
        let b = try GaussianStatistics(features: [1, 2, 3, 4, 5, 6], width: 3)
        #expect(throws: EvaluationError.widthMismatch(2, 3)) { try FrechetDistance.distance(a, b) }
    }
}
