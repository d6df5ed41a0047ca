import Foundation

/// Errors of ProbeGAN training, each naming the culprit and a way out.
public enum ProbeGANError: Error, CustomStringConvertible, Equatable {
    /// A class name that the data does not have.
    case unknownClass(name: String, known: [String])
    /// Every class was declared unseen: nothing is left to train the discriminator on.
    case everyClassUnseen(classes: [String])
    /// The method needs an unseen class and none was given.
    case noUnseenClass(method: String)
    /// A class that must have real data has none.
    case classWithoutData(name: String)
    /// The real training set holds an example of an unseen class (the target-absence guarantee).
    case unseenClassInRealData(name: String)
    /// The target-absence proof failed: examples the trainer would consume are of, identical to, or
    /// by a speaker of an unseen class.
    case targetAbsenceViolated(violations: [String])
    /// The classifier was trained on other classes or another input shape.
    case classifierMismatch(reason: String)
    /// A loss became NaN or exploded; training stopped, the last good checkpoint was kept.
    case diverged(iteration: Int, detail: String, checkpoint: String?)
    /// `--resume` points at a run that cannot continue with these settings.
    case resumeMismatch(reason: String)
    /// Ctrl-C: a checkpoint was written and the run can continue.
    case interrupted(iteration: Int, runFolder: String)
    /// A run folder without a usable checkpoint.
    case noCheckpoint(path: String)
    /// The settings would need more memory than the machine has.
    case tooLarge(reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .unknownClass(let name, let known):
            return "unknown class \"\(name)\"; the data has \(known.joined(separator: ", "))"
        case .everyClassUnseen(let classes):
            return "every class (\(classes.joined(separator: ", "))) is unseen; keep at least one class with real data"
        case .noUnseenClass(let method):
            return "--method \(method) needs at least one unseen class: pass --unseen CLASS"
        case .classWithoutData(let name):
            return "class \"\(name)\" has no training clips; add data to it or declare it unseen"
        case .targetAbsenceViolated(let violations):
            return "the target-absence proof failed, so nothing was trained: "
                + violations.joined(separator: "; ")
                + "; remove these clips (or their speakers) from the seen classes, or use --method oracle, which is "
                + "allowed to see the class"
        case .unseenClassInRealData(let name):
            return "the GAN's real training set holds clips of unseen class \"\(name)\"; "
                + "remove them (or use --method oracle, which is allowed to see the class)"
        case .classifierMismatch(let reason):
            return "the classifier does not fit this data: \(reason). Train one with `studio classifier train` "
                + "on the same data, or pass --classifier PATH"
        case .diverged(let iteration, let detail, let checkpoint):
            return "training diverged at iteration \(iteration): \(detail). "
                + (checkpoint.map {
                    "The last good checkpoint is \($0); resume with --resume and a lower learning rate"
                }
                    ?? "No checkpoint was written yet; lower the learning rate and start again")
        case .resumeMismatch(let reason):
            return "cannot resume: \(reason)"
        case .interrupted(let iteration, let runFolder):
            return "interrupted at iteration \(iteration); a checkpoint was written. "
                + "Continue with: studio train --resume \(runFolder)"
        case .tooLarge(let reason):
            return "these settings would not fit in memory: \(reason); lower the batch size or the channel base"
        case .noCheckpoint(let path):
            return "no training checkpoint at \(path); was the run started with `studio train`?"
        }
    }
}
