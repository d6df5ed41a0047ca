import StudioSupport
import Testing

@Suite struct ProgressBarTests {
    @Test func remainingTimeScalesTheStepsLeftByTheRateSoFar() throws {
        // 10 steps in 20 s: 2 s a step, so 30 left take 60 s.
        #expect(ProgressBar.remainingSeconds(elapsed: 20, progressed: 10, left: 30) == 60)
        #expect(ProgressBar.remainingSeconds(elapsed: 20, progressed: 10, left: 0) == 0)
        #expect(ProgressBar.remainingSeconds(elapsed: 5, progressed: 1, left: 3) == 15)
        // A count past the total (a caller's rounding) leaves nothing to go, not negative time.
        #expect(ProgressBar.remainingSeconds(elapsed: 5, progressed: 1, left: -2) == 0)
    }

    @Test func noEstimateBeforeTheFirstStep() {
        #expect(ProgressBar.remainingSeconds(elapsed: 12, progressed: 0, left: 100) == nil)
        #expect(ProgressBar.remainingSeconds(elapsed: 0, progressed: 0, left: 0) == nil)
    }
}
