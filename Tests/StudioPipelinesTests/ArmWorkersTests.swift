import Dispatch
import Foundation
import StudioTensor
import Testing

@testable import StudioPipelines

/// Experiment arms trained several at once: every arm once, at once for real, each worker on its
/// share of the engine's threads, the first error stopping the others.
@Suite("Arm workers")
struct ArmWorkersTests {
    struct Failure: Error, Equatable { var index: Int }

    /// Lines and stop requests seen by hooks, from any thread.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var lines = [String]()
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }

        var hooks: TrainingHooks {
            TrainingHooks(
                log: { self.append($0) }, progress: { _, _, _, _, _ in Issue.record("progress goes through log") },
                shouldStop: { false })
        }
    }

    @Test func everyArmRunsOnceTwoAtATimeOnItsShareOfTheThreads() throws {
        let workers = ArmWorkers(jobs: 2, arms: 5)
        #expect(workers.workers == 2)
        #expect(workers.threadsPerWorker == max(1, EngineThreads.current / 2))
        // Arms 0 and 1 each wait for the other to start: they finish only if they run at once.
        let started = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let recorder = Recorder()
        var finished = [Int: (value: Int, threads: Int)]()
        try workers.run(names: ["a", "b", "c", "d", "e"], hooks: recorder.hooks) { index, hooks in
            hooks.log("working")
            if index == 0 {
                started.0.signal()
                if started.1.wait(timeout: .now() + 20) == .success { recorder.append("0 met 1") }
            } else if index == 1 {
                started.1.signal()
                if started.0.wait(timeout: .now() + 20) == .success { recorder.append("1 met 0") }
            }
            return (index * 10, EngineThreads.current)
        } finished: { index, outcome in
            #expect(finished[index] == nil, "arm \(index) is handed over once")
            finished[index] = outcome
        }
        #expect(finished.keys.sorted() == [0, 1, 2, 3, 4])
        for (index, outcome) in finished {
            #expect(outcome.value == index * 10)
            #expect(outcome.threads == workers.threadsPerWorker, "arm \(index) ran on its share")
        }
        #expect(EngineThreads.current == EngineThreads.count, "the caller's threads are unchanged")
        // Expectations are checked here, on the test's thread; the workers only record.
        #expect(
            Set(recorder.all) == [
                "0 met 1", "1 met 0", "[a] working", "[b] working", "[c] working", "[d] working", "[e] working",
            ], "arms 0 and 1 ran at once, and every worker's line carries its arm")
    }

    @Test func theFirstErrorStopsTheOtherWorkersAndEveryErrorIsMerged() {
        let workers = ArmWorkers(jobs: 2, arms: 4)
        let armOneStarted = DispatchSemaphore(value: 0)
        let recorder = Recorder()
        let ran = Recorder()
        var handed = [Int]()
        var merged = [(Int, Failure?)]()
        #expect(throws: Failure(index: 0)) {
            try workers.run(names: ["a", "b", "c", "d"], hooks: recorder.hooks) { index, hooks in
                ran.append("\(index)")
                if index == 0 {
                    _ = armOneStarted.wait(timeout: .now() + 20)
                    throw Failure(index: 0)
                }
                if index == 1 {
                    armOneStarted.signal()
                    // A training run polls shouldStop each iteration; this one waits for the request.
                    let deadline = Date().addingTimeInterval(20)
                    while !hooks.shouldStop() && Date() < deadline { usleep(1000) }
                    if hooks.shouldStop() { ran.append("1 asked to stop") }
                    throw Failure(index: 1)
                }
                return index
            } finished: { index, _ in
                handed.append(index)
            } merge: { failures in
                merged = failures.map { ($0.index, $0.error as? Failure) }
                return failures[0].error
            }
        }
        #expect(
            merged.map(\.0) == [0, 1] && merged.map(\.1) == [Failure(index: 0), Failure(index: 1)],
            "every failure, the first first")
        #expect(Set(ran.all) == ["0", "1", "1 asked to stop"], "arm 1 was asked to stop; no arm started after")
        #expect(handed.isEmpty)
    }

    @Test func oneWorkerRunsInOrderOnTheCallingThreadWithItsThreads() throws {
        let workers = ArmWorkers(jobs: 4, arms: 1)
        #expect(workers.workers == 1)
        let caller = Thread.current
        var order = [Int]()
        try ArmWorkers(jobs: 1, arms: 3).run(names: ["a", "b", "c"], hooks: Recorder().hooks) { index, hooks in
            #expect(Thread.current == caller)
            #expect(EngineThreads.current == EngineThreads.count)
            hooks.log("no prefix with one worker")
            return index
        } finished: { index, outcome in
            #expect(index == outcome)
            order.append(index)
        }
        #expect(order == [0, 1, 2])
    }

    @Test func workerHooksPrefixLinesAndThinProgress() {
        let recorder = Recorder()
        let parent = TrainingHooks(log: { recorder.append($0) }, progress: { _, _, _, _, _ in }, shouldStop: { false })
        let stop = Recorder()
        let hooks = WorkerHooks.make(parent, name: "memory", stop: { !stop.all.isEmpty })
        hooks.log("hello")
        // The first update of a phase prints, updates within a minute do not, the last one does.
        for done in 1...100 { hooks.progress("train", done, 100, 0, done == 100 ? "D 1.0" : "") }
        hooks.progress("render", 1, 3, 0, "")
        let lines = recorder.all
        #expect(lines.first == "[memory] hello")
        #expect(lines.count == 4, "\(lines)")
        #expect(lines[1] == "[memory] train 1/100, 0 s elapsed", "nothing to base an ETA on yet: \(lines)")
        #expect(lines[2].hasPrefix("[memory] train 100/100, ") && lines[2].hasSuffix(" · D 1.0"), "\(lines)")
        #expect(lines[3] == "[memory] render 1/3, 0 s elapsed", "a new phase prints at once: \(lines)")
        #expect(!hooks.shouldStop())
        stop.append("another worker failed")
        #expect(hooks.shouldStop())
    }
}
