import Foundation

/// Errors of a run folder and of the commands that train, resume and read runs: each names the
/// culprit and the command or flag that gets the user out.
public enum RunError: Error, CustomStringConvertible, Equatable {
    /// The probed classifier or the judge was trained on other classes, shapes or inputs.
    case classifierMismatch(reason: String)
    /// `--resume` points at a run that cannot continue with these settings or this data.
    case resumeMismatch(reason: String)
    /// Ctrl-C: a checkpoint was written and the run can continue.
    case interrupted(iteration: Int, runFolder: String)
    /// A path that is not a run folder written by `studio train` (or lacks its checkpoint).
    case notARun(path: String)
    /// A loss became NaN or exploded; training stopped, the last good checkpoint was kept.
    case diverged(iteration: Int, detail: String, checkpoint: String?)
    /// The target-absence proof failed: nothing was trained.
    case targetAbsenceViolated(violations: [String])
    /// A run configuration file (`--config`) that cannot be used.
    case badConfiguration(path: String, reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .classifierMismatch(let reason):
            return "the classifier does not fit this data: \(reason). Train one with `studio classifier train` "
                + "on the same data, or pass --classifier PATH"
        case .resumeMismatch(let reason):
            return "cannot resume: \(reason)"
        case .interrupted(let iteration, let runFolder):
            return "interrupted at iteration \(iteration); a checkpoint was written. "
                + "Continue with: studio train --resume \(runFolder)"
        case .notARun(let path):
            return "no training checkpoint at \(path); was the run started with `studio train`?"
        case .diverged(let iteration, let detail, let checkpoint):
            return "training diverged at iteration \(iteration): \(detail). "
                + (checkpoint.map {
                    "The last good checkpoint is \($0); resume with --resume and a lower learning rate"
                }
                    ?? "No checkpoint was written yet; lower the learning rate and start again")
        case .targetAbsenceViolated(let violations):
            return "the target-absence proof failed, so nothing was trained: "
                + violations.joined(separator: "; ")
                + "; remove these clips (or their speakers) from the seen classes, or use --method oracle, which is "
                + "allowed to see the class"
        case .badConfiguration(let path, let reason):
            return "cannot start a run from \(path): \(reason)"
        }
    }
}
