import Foundation
import StudioPipelines
import StudioSupport
import StudioTensor

/// What an experiment is made of, known before anything is prepared: the classifiers its arms
/// probe and its arms (each with the classifier it probes), in the order a one-machine run takes them.
public struct ExperimentLayout: Sendable {
    /// The probed classifiers' names (as in the report's classifier checks).
    public var classifiers: [String]
    /// The arms' names and, for each, the index in `classifiers` of the classifier it probes.
    public var arms: [(name: String, classifier: Int)]
}

/// One piece of an experiment that a scheduler can run on its own (`studio experiment ... --unit K`).
public struct ExperimentUnit: Sendable, Codable, Equatable {
    /// What a unit does.
    public enum Kind: String, Sendable, Codable {
        /// The shared inputs: clean features, variant data, the detector, the judge.
        case prepare
        /// Trains (or reads from its cache) one probed classifier and checks it.
        case classifier
        /// Trains one arm's GAN (one GAN seed of it).
        case arm
    }

    /// Its index, as `--unit` takes it.
    public var index: Int
    /// `prepare`, `classifier-NAME` or the arm's run folder name.
    public var name: String
    /// What it does.
    public var kind: Kind
    /// The units that must have finished before it starts.
    public var after: [Int]
}

/// An experiment's units and their order (`plan.json` in the experiment folder), written by
/// `--plan` and read by every `--unit K`: unit 0 prepares the shared inputs, the classifier units
/// train the probed classifiers, the arm units train the GANs; once every unit has finished, the
/// experiment's command without `--unit` measures the arms and writes the report, the same report
/// a one-machine run writes. Each unit is resumable and safe to rerun: finished work is kept.
public struct ExperimentPlan: Sendable, Codable, Equatable {
    /// `marker` or `spurious`.
    public var experiment: String
    /// The experiment's record (its settings, as `experiment.json` holds them): `--unit` refuses a
    /// plan written for other inputs.
    public var inputs: String
    /// Engine threads of a one-machine run and the arms it trains at once (`--jobs`): the units
    /// run with the threads each arm would get there, so that they train the same bits.
    public var threads: Int, jobs: Int
    /// The units, in order.
    public var units: [ExperimentUnit]

    /// The plan of an experiment laid out as `layout`, with `settings.replicateCount` GAN runs per arm.
    public init(experiment: String, layout: ExperimentLayout, settings: ExperimentSettings, inputs: String) {
        self.experiment = experiment
        self.inputs = inputs
        threads = EngineThreads.current
        jobs = settings.jobCount
        var units = [ExperimentUnit(index: 0, name: "prepare", kind: .prepare, after: [])]
        for name in layout.classifiers {
            units.append(ExperimentUnit(index: units.count, name: "classifier-\(name)", kind: .classifier, after: [0]))
        }
        for round in 0..<settings.replicateCount {
            for arm in layout.arms {
                let name = round == 0 ? arm.name : "\(arm.name)-seed\(settings.firstGANSeed &+ UInt64(round))"
                units.append(ExperimentUnit(index: units.count, name: name, kind: .arm, after: [1 + arm.classifier]))
            }
        }
        self.units = units
    }

    /// The units of one kind.
    public func units(_ kind: ExperimentUnit.Kind) -> [ExperimentUnit] { units.filter { $0.kind == kind } }

    /// Engine threads of one unit: a prepare unit gets the run's threads, the others what one of
    /// the run's arm workers gets (`ArmWorkers`).
    public func threads(of kind: ExperimentUnit.Kind) -> Int {
        kind == .prepare ? threads : max(1, threads / max(1, min(jobs, units(.arm).count)))
    }

    /// `plan.json` in an experiment folder.
    public static func file(in folder: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent("plan.json").path
    }

    /// The marker file a finished unit leaves in `FOLDER/units/`.
    public static func doneFile(_ unit: ExperimentUnit, in folder: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent("units/\(unit.name).done").path
    }

    /// Writes the plan to the experiment folder (atomically).
    public func write(to folder: String) throws {
        try AtomicFile.write(try RunFolder.json(self), to: Self.file(in: folder))
    }

    /// The unit `index` of the plan written in `folder`, checked: the plan exists, was written for
    /// these inputs (`expected`, the plan the current settings make), the index is in range, and
    /// every unit it needs has finished.
    public static func unit(_ index: Int, folder: String, expected: ExperimentPlan) throws -> ExperimentUnit {
        let file = Self.file(in: folder)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ExperimentError.noPlan(folder: folder)
        }
        guard let plan = try? JSONDecoder().decode(ExperimentPlan.self, from: data) else {
            throw ExperimentError.planChanged(file: file, reason: "it cannot be read")
        }
        guard plan.experiment == expected.experiment, plan.inputs == expected.inputs else {
            throw ExperimentError.planChanged(file: file, reason: "it was written for other settings")
        }
        guard plan.units == expected.units else {
            throw ExperimentError.planChanged(file: file, reason: "its units differ from what these settings make")
        }
        guard plan.units.indices.contains(index) else {
            throw ExperimentError.unitOutOfRange(unit: index, count: plan.units.count, file: file)
        }
        let unit = plan.units[index]
        let waiting = unit.after.map { plan.units[$0] }.filter {
            !FileManager.default.fileExists(atPath: doneFile($0, in: folder))
        }
        guard waiting.isEmpty else {
            throw ExperimentError.unitNotReady(
                unit: "\(index) (\(unit.name))", waitingFor: waiting.map { "\($0.index) (\($0.name))" })
        }
        return unit
    }

    /// Records that `unit` finished.
    public static func markDone(_ unit: ExperimentUnit, in folder: String) throws {
        let note = "unit \(unit.index) (\(unit.name)) finished \(ISO8601DateFormatter().string(from: Date()))\n"
        let file = doneFile(unit, in: folder)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try AtomicFile.write(Data(note.utf8), to: file)
    }

    /// The plan as lines for a terminal: each unit with what it needs, then the report step.
    public var lines: [String] {
        units.map { unit in
            let after = unit.after.isEmpty ? "" : " (after \(unit.after.map(String.init).joined(separator: ", ")))"
            return "  unit \(unit.index): \(unit.name)\(after), \(threads(of: unit.kind)) engine thread(s)"
        } + [
            "  then: the same command without --unit measures every arm and writes the report "
                + "(\(threads) engine threads, --jobs \(jobs))"
        ]
    }
}
