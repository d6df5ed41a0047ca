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
    /// The classifier was trained on other classes or another input shape.
    case classifierMismatch(reason: String)
    /// A loss became NaN or exploded at this iteration.
    case diverged(iteration: Int, detail: String)
    /// A checkpoint written with another configuration than the trainer's.
    case checkpointMismatch(path: String)
    /// A checkpoint without ProbeGAN training state.
    case noCheckpoint(path: String)
    /// The settings would need more memory than the machine has.
    case tooLarge(reason: String)
    /// The configuration selects by a model-free fidelity measure that this modality does not have.
    case missingFidelity(selection: String)
    /// Data-parallel training: the batch does not split into the shards, or the processes do not share them evenly.
    case shardsDoNotFit(reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .unknownClass(let name, let known):
            return "unknown class \"\(name)\"; the data has \(known.joined(separator: ", "))"
        case .everyClassUnseen(let classes):
            return "every class (\(classes.joined(separator: ", "))) is unseen; keep at least one class with real data"
        case .noUnseenClass(let method):
            return "the \(method) method needs at least one unseen class"
        case .classWithoutData(let name):
            return "class \"\(name)\" has no training clips; add data to it or declare it unseen"
        case .unseenClassInRealData(let name):
            return "the GAN's real training set holds clips of unseen class \"\(name)\"; "
                + "remove them (only the ORACLE baseline may see the class)"
        case .classifierMismatch(let reason):
            return "the classifier does not fit the data: \(reason)"
        case .diverged(let iteration, let detail):
            return "training diverged at iteration \(iteration): \(detail); lower the learning rate"
        case .checkpointMismatch(let path):
            return "\(path) was written with another ProbeGAN configuration"
        case .tooLarge(let reason):
            return "these settings would not fit in memory: \(reason); lower the batch size or the channel base"
        case .noCheckpoint(let path):
            return "\(path) holds no ProbeGAN training state"
        case .missingFidelity(let selection):
            return "selection by \(selection) needs audio (log-mel spectrogram) data; use --selection "
                + "\(SelectionFidelity.classifierFeatures.rawValue) for pictures"
        case .shardsDoNotFit(let reason):
            return "data-parallel training: \(reason)"
        }
    }
}
