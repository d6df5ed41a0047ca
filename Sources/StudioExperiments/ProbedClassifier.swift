import Foundation
import StudioPipelines

/// A probed classifier that an experiment's arms share: trained (or read from its cache) when the
/// first arm that probes it starts, once, then checked on real held-out examples with and without
/// the feature. With several arms training at once, another arm that needs it waits for it, and
/// arms that do not need it train meanwhile.
final class ProbedClassifier: @unchecked Sendable {
    /// The checkpoint the arms probe (known before it is trained).
    let path: String
    private let make: (TrainingHooks) throws -> ClassifierCheck
    private let training = NSLock()
    private let state = NSLock()
    private var made: ClassifierCheck?

    /// `make` trains or loads the classifier at `path` and checks it.
    init(path: String, make: @escaping (TrainingHooks) throws -> ClassifierCheck) {
        self.path = path
        self.make = make
    }

    /// The classifier's check, training it first if no arm has yet.
    func ensure(hooks: TrainingHooks) throws -> ClassifierCheck {
        training.lock()
        defer { training.unlock() }
        if let check { return check }
        let made = try make(hooks)
        state.withLock { self.made = made }
        return made
    }

    /// The check, once the classifier is ready (nil before).
    var check: ClassifierCheck? { state.withLock { made } }
}
