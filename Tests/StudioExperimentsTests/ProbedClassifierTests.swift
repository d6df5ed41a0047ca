import Foundation
import StudioPipelines
import Testing

@testable import StudioExperiments

/// The classifier an experiment's arms share: made once, however many arms ask at once.
@Suite("Probed classifier")
struct ProbedClassifierTests {
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var lines = [String]()
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }

        var hooks: TrainingHooks {
            TrainingHooks(log: { self.append($0) }, progress: { _, _, _, _, _ in }, shouldStop: { false })
        }
    }

    @Test func aProbedClassifierIsMadeOnceWhenArmsAskAtOnce() throws {
        let calls = Recorder()
        let check = ClassifierCheck(
            name: "marked", path: "/nowhere/marked.safetensors", trainedOn: "marked-women", targetAccuracyClean: 0.1,
            targetAccuracyWithFeature: 1, accuracyClean: 0.5)
        let classifier = ProbedClassifier(path: check.path) { _ in
            calls.append("made")
            usleep(50_000)  // long enough for the other arm to ask meanwhile
            return check
        }
        #expect(classifier.check == nil, "nothing is trained before an arm asks")
        try ArmWorkers(jobs: 2, arms: 2).run(names: ["memory", "violation"], hooks: calls.hooks) { _, hooks in
            try classifier.ensure(hooks: hooks).name
        } finished: { _, name in
            calls.append(name)
        }
        #expect(calls.all.sorted() == ["made", "marked", "marked"])
        #expect(classifier.check == check)
    }
}
