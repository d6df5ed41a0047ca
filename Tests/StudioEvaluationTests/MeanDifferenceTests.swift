import Testing

@testable import StudioEvaluation

/// Welch's interval for a difference of means, against values worked by hand.
struct MeanDifferenceTests {
    @Test func knownAnswer() throws {
        // Means 2 and 1; sample variances 1 and 10/5 = 2; n 3 and 6: SE = sqrt(1/3 + 2/6) = sqrt(2/3).
        let difference = try #require(MeanDifference([1, 2, 3], [-1, 0, 1, 2, 3, 1]))
        #expect(abs(difference.difference - 1) < 1e-12)
        let half = 1.959_963_984_540_054 * (2.0 / 3).squareRoot()
        #expect(abs(difference.lower - (1 - half)) < 1e-9)
        #expect(abs(difference.upper - (1 + half)) < 1e-9)
        #expect(!difference.excludesZero)
    }

    @Test func separatedSetsExcludeZeroInEitherOrder() throws {
        let low: [Float] = (0..<200).map { Float($0 % 10) * 0.01 }
        let high = low.map { $0 + 0.5 }
        let up = try #require(MeanDifference(high, low))
        let down = try #require(MeanDifference(low, high))
        #expect(up.excludesZero && up.lower > 0)
        #expect(down.excludesZero && down.upper < 0)
        #expect(abs(up.difference + down.difference) < 1e-9)
    }

    @Test func needsTwoValuesPerSet() {
        #expect(MeanDifference([1], [1, 2]) == nil)
        #expect(MeanDifference([1, 2], []) == nil)
    }
}
