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

@Suite("Shifts over replicate training runs")
struct ReplicateShiftTests {
    /// Shifts 1, 2, 3: mean 2, sd 1, half-width t(0.975, 2) / sqrt(3) = 4.303 / 1.732 = 2.484.
    @Test func threeReplicatesGiveTheStudentInterval() throws {
        let shift = try #require(ReplicateShift([1, 2, 3]))
        #expect(abs(shift.mean - 2) < 1e-12)
        #expect(abs(shift.standardDeviation - 1) < 1e-12)
        #expect(abs(shift.upper - (2 + 4.303 / 3.0.squareRoot())) < 1e-9)
        #expect(abs(shift.lower - (2 - 4.303 / 3.0.squareRoot())) < 1e-9)
        #expect(!shift.excludesZero)
        #expect(try #require(ReplicateShift([0.9, 1.0, 1.1])).excludesZero)
        #expect(ReplicateShift([1]) == nil)
        #expect(ReplicateShift([1, .nan]) == nil)
        #expect(ReplicateShift([0.5, 0.5, 0.5]) == nil, "identical runs measure no spread")
    }

    /// Known quantiles (R's qt(0.975, df)): the table's ends and the expansion beyond it.
    @Test func studentQuantilesMatchKnownValues() {
        for (df, expected) in [(1, 12.706), (2, 4.303), (30, 2.042), (40, 2.021), (60, 2.000), (120, 1.980)] {
            #expect(
                abs(ReplicateShift.studentQuantile975(degreesOfFreedom: df) - expected) < 0.001,
                "df \(df): \(ReplicateShift.studentQuantile975(degreesOfFreedom: df))")
        }
        #expect(abs(ReplicateShift.studentQuantile975(degreesOfFreedom: 100_000) - 1.96) < 0.001)
    }
}
