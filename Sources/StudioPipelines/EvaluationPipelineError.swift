/// What can stop `studio evaluate`'s acoustic measures; each message names the culprit and a way out.
public enum EvaluationPipelineError: Error, CustomStringConvertible, Equatable {
    /// The corpus on disk does not match the features the run's data was read from.
    case acousticData(reason: String)
    /// A judge that cannot score the run's samples.
    case judgeMismatch(judge: String, reason: String)
    /// Evaluation data whose examples are not what the run generates (another frontend or data set).
    case dataMismatch(run: String, recorded: String, data: String)

    /// The message.
    public var description: String {
        switch self {
        case .acousticData(let reason): return "cannot measure the real clips acoustically: \(reason)"
        case .judgeMismatch(let judge, let reason):
            return "the judge \(judge) cannot score this run: \(reason); pass a judge trained on the run's data "
                + "(studio classifier train --judge, or the run's own judge without --judge)"
        case .dataMismatch(let run, let recorded, let data):
            return "the run \(run) generates \(recorded), but the evaluation data is \(data); pass the run's own "
                + "data with --data (configuration.json names it)"
        }
    }
}
