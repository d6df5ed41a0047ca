import Foundation
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

    /// Not on a terminal: nothing until the quiet interval has passed, then one line, and one line
    /// when done, however many updates come in between.
    @Test func logsGetALineEveryQuietIntervalAndOneWhenDone() {
        final class Lines: @unchecked Sendable {
            var lines = [String]()
        }
        let captured = Lines()
        let quick = ProgressBar("steps", total: 1_000, interactive: false, quietInterval: 3_600) {
            captured.lines.append($0)
        }
        for step in 1...1_000 { quick.update(step) }
        #expect(captured.lines.count == 1 && captured.lines[0].contains("1000/1000"), "\(captured.lines)")
        captured.lines = []
        let slow = ProgressBar("steps", total: 10, interactive: false, quietInterval: 0.05) {
            captured.lines.append($0)
        }
        slow.update(1)
        Thread.sleep(forTimeInterval: 0.1)
        slow.update(2)
        slow.update(3)
        slow.update(10)
        // Step 1 comes before the interval has passed; step 2 after it; step 3 too soon; step 10 is the end.
        #expect(captured.lines.count == 2 && captured.lines[0].contains("2/10") && captured.lines[1].contains("10/10"))
        #expect(captured.lines.allSatisfy { $0.hasSuffix("\n") && !$0.hasPrefix("\r") })
    }
}
