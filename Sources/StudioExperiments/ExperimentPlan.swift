import Foundation
import StudioPipelines
import StudioTensor

/// What an experiment is made of, known before anything is prepared: the classifiers its arms
/// probe and its arms (each with the classifier it probes), in the order a one-machine run takes them.
public struct ExperimentLayout: Sendable {
    /// The probed classifiers' names (as in the report's classifier checks).
    public var classifiers: [String]
    /// The arms' names and, for each, the index in `classifiers` of the classifier it probes.
    public var arms: [(name: String, classifier: Int)]
}

extension UnitPlan {
    /// The plan of an experiment laid out as `layout`: unit 0 prepares the shared inputs, then one
    /// unit per probed classifier, then one per arm for each of `settings.replicateCount` GAN seeds.
    init(experiment: String, layout: ExperimentLayout, settings: ExperimentSettings, inputs: String) {
        var units = [PlanUnit(index: 0, name: "prepare", kind: .prepare, after: [])]
        for name in layout.classifiers {
            units.append(PlanUnit(index: units.count, name: "classifier-\(name)", kind: .classifier, after: [0]))
        }
        for round in 0..<settings.replicateCount {
            for arm in layout.arms {
                let name = round == 0 ? arm.name : "\(arm.name)-seed\(settings.firstGANSeed &+ UInt64(round))"
                units.append(PlanUnit(index: units.count, name: name, kind: .run, after: [1 + arm.classifier]))
            }
        }
        self.init(
            name: experiment, inputs: inputs, threads: EngineThreads.current, jobs: settings.jobCount, units: units)
    }
}
