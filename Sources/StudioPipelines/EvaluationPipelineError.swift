/// What can stop `studio evaluate`'s acoustic measures; each message names the culprit and a way out.
public enum EvaluationPipelineError: Error, CustomStringConvertible, Equatable {
    /// The corpus on disk does not match the features the run's data was read from.
    case acousticData(reason: String)

    /// The message.
    public var description: String {
        switch self {
        case .acousticData(let reason): return "cannot measure the real clips acoustically: \(reason)"
        }
    }
}
