import Foundation
import StudioSupport

/// What stops a unit of a plan before it starts; each case names the culprit and a way out.
public enum UnitPlanError: Error, CustomStringConvertible, Equatable {
    /// `--unit` without a plan in the folder.
    case noPlan(folder: String)
    /// The folder's plan does not match the settings given with `--unit`.
    case planChanged(file: String, reason: String)
    /// `--unit` beyond the plan's units.
    case unitOutOfRange(unit: Int, count: Int, file: String)
    /// A unit started before the units it needs finished.
    case unitNotReady(unit: String, waitingFor: [String])

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .noPlan(let folder):
            return "\(folder) holds no plan (plan.json); write it first with the same command and --plan "
                + "instead of --unit"
        case .planChanged(let file, let reason):
            return "the plan \(file) does not fit this command: \(reason); pass the settings the plan was written "
                + "with, or write it again with --plan"
        case .unitOutOfRange(let unit, let count, let file):
            return "--unit \(unit) is out of range: the plan \(file) has units 0 to \(count - 1)"
        case .unitNotReady(let unit, let waiting):
            return "unit \(unit) needs unit(s) \(waiting.joined(separator: ", ")) to finish first; run them with "
                + "--unit (a scheduler: make this unit depend on them)"
        }
    }
}

/// One piece of a multi-run command that a scheduler can run on its own (`--unit K`).
public struct PlanUnit: Sendable, Codable, Equatable {
    /// What a unit does.
    public enum Kind: String, Sendable, Codable {
        /// The shared inputs (features, variant data, detectors, the judge, the probed classifier).
        case prepare
        /// Trains (or reads from its cache) one probed classifier and checks it.
        case classifier
        /// Trains one GAN run (an experiment's arm, one GAN seed of it, or one seed of a seeds folder),
        /// or one judge of the judge panel.
        case run
    }

    /// Its index, as `--unit` takes it.
    public var index: Int
    /// `prepare`, `classifier-NAME` or the run's folder name.
    public var name: String
    /// What it does.
    public var kind: Kind
    /// The units that must have finished before it starts.
    public var after: [Int]

    /// A unit.
    public init(index: Int, name: String, kind: Kind, after: [Int]) {
        self.index = index
        self.name = name
        self.kind = kind
        self.after = after
    }
}

/// The units of a multi-run command and their order (`plan.json` in its folder), written by
/// `--plan` and read by every `--unit K`: unit 0 prepares the shared inputs, classifier units train
/// probed classifiers, run units train the GANs; once every unit has finished, the same command
/// without `--unit` writes what a one-machine run writes (an experiment's report, a seeds folder's
/// summary). Each unit is resumable and safe to rerun: finished work is kept.
public struct UnitPlan: Sendable, Codable, Equatable {
    /// What the plan is of, in job names: `marker`, `spurious`, `seeds`, `panel`.
    public var name: String
    /// The command's record (its settings as its folder records them): `--unit` refuses a plan
    /// written for other inputs.
    public var inputs: String
    /// Engine threads of a one-machine run and the runs it trains at once (`--jobs`): the units
    /// run with the threads each run would get there, so that they train the same bits.
    public var threads: Int, jobs: Int
    /// The units, in order.
    public var units: [PlanUnit]

    /// A plan of `units`.
    public init(name: String, inputs: String, threads: Int, jobs: Int, units: [PlanUnit]) {
        self.name = name
        self.inputs = inputs
        self.threads = threads
        self.jobs = jobs
        self.units = units
    }

    /// The units of one kind.
    public func units(_ kind: PlanUnit.Kind) -> [PlanUnit] { units.filter { $0.kind == kind } }

    /// Engine threads of one unit: a prepare unit gets the command's threads, the others what one
    /// of its workers gets (`ArmWorkers`).
    public func threads(of kind: PlanUnit.Kind) -> Int {
        kind == .prepare ? threads : ArmWorkers(threads: threads, jobs: jobs, arms: units(.run).count).threadsPerWorker
    }

    /// `plan.json` in the command's folder.
    public static func file(in folder: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent("plan.json").path
    }

    /// The marker file a finished unit leaves in `FOLDER/units/`.
    public static func doneFile(_ unit: PlanUnit, in folder: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent("units/\(unit.name).done").path
    }

    /// Writes the plan to the command's folder (atomically).
    public func write(to folder: String) throws {
        try AtomicFile.write(try RunFolder.json(self), to: Self.file(in: folder))
    }

    /// The unit `index` of the plan written in `folder`, checked: the plan exists, was written for
    /// these inputs (`expected`, the plan the current settings make), the index is in range, and
    /// every unit it needs has finished.
    public static func unit(_ index: Int, folder: String, expected: UnitPlan) throws -> PlanUnit {
        let file = Self.file(in: folder)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw UnitPlanError.noPlan(folder: folder)
        }
        guard let plan = try? JSONDecoder().decode(UnitPlan.self, from: data) else {
            throw UnitPlanError.planChanged(file: file, reason: "it cannot be read")
        }
        guard plan.name == expected.name, plan.inputs == expected.inputs else {
            throw UnitPlanError.planChanged(file: file, reason: "it was written for other settings")
        }
        guard plan.units == expected.units else {
            throw UnitPlanError.planChanged(file: file, reason: "its units differ from what these settings make")
        }
        guard plan.units.indices.contains(index) else {
            throw UnitPlanError.unitOutOfRange(unit: index, count: plan.units.count, file: file)
        }
        let unit = plan.units[index]
        let waiting = unit.after.map { plan.units[$0] }.filter {
            !FileManager.default.fileExists(atPath: doneFile($0, in: folder))
        }
        guard waiting.isEmpty else {
            throw UnitPlanError.unitNotReady(
                unit: "\(index) (\(unit.name))", waitingFor: waiting.map { "\($0.index) (\($0.name))" })
        }
        return unit
    }

    /// Records that `unit` finished.
    public static func markDone(_ unit: PlanUnit, in folder: String) throws {
        let note = "unit \(unit.index) (\(unit.name)) finished \(ISO8601DateFormatter().string(from: Date()))\n"
        let file = doneFile(unit, in: folder)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: file).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try AtomicFile.write(Data(note.utf8), to: file)
    }
}
