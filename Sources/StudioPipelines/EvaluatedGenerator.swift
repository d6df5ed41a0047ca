import ProbeGAN
import StudioModels

/// Which of a run's generators `studio evaluate` samples.
public enum EvaluatedGenerator: String, Sendable, Codable, CaseIterable {
    /// The leak-free selection rule's choice (`checkpoints/best-generator.safetensors`): what the
    /// run's answer is.
    case selected
    /// The EMA generator of the last checkpoint: a diagnostic of what more training did, never the
    /// run's answer (nothing chose it).
    case last

    /// The subfolder of a run folder its acoustic and panel files go to: `evaluation/` for the
    /// selected generator, `evaluation/last/` for the last, so one never overwrites the other.
    public var evaluationSubfolder: String {
        switch self {
        case .selected: return "evaluation"
        case .last: return "evaluation/last"
        }
    }
}

extension RunFolder {
    /// The generator `choice` names, ready for sampling, and the iteration it holds.
    public func loadGenerator(
        _ choice: EvaluatedGenerator, configuration: ProbeGANConfiguration
    ) throws -> (generator: Generator, iteration: Int) {
        switch choice {
        case .selected: return (try loadBestGenerator(configuration), try readRun().selectedIteration)
        case .last: return try loadLastGenerator()
        }
    }
}
