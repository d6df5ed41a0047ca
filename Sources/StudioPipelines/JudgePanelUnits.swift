import Foundation
import StudioData
import StudioTensor

// The judge panel as units for a scheduler (`studio classifier panel --plan | --unit K | --submit
// slurm --out FOLDER`), and several judges trained at once (`--jobs`): unit 0 reads the data (and
// builds its feature cache), then one unit per member in training order. The panel command without
// `--unit` loads every member from the cache and scores them. Each unit runs with the engine
// threads one of the one-machine run's workers gets, so the judges are the same bits either way.

extension JudgePanel {
    /// The panel's plan for the data `dataName` in `cacheFolder` (`epochs` as for `ensure`): on
    /// one machine, `jobs` judges train at once on this thread's engine threads.
    public static func plan(dataName: String, cacheFolder: String, epochs: Int?, jobs: Int) throws -> UnitPlan {
        struct Inputs: Encodable {
            var data: String, cacheFolder: String, epochs: Int?, members: [String]
        }
        let inputs = Inputs(data: dataName, cacheFolder: cacheFolder, epochs: epochs, members: members.map(\.name))
        let units =
            [PlanUnit(index: 0, name: "prepare", kind: .prepare, after: [])]
            + trainingOrder.enumerated().map { position, member in
                PlanUnit(index: position + 1, name: members[member].name, kind: .run, after: [0])
            }
        return UnitPlan(
            name: "panel", inputs: String(decoding: try RunFolder.json(inputs), as: UTF8.self),
            threads: EngineThreads.current, jobs: jobs, units: units)
    }

    /// Runs unit `index` of the plan in `folder` (written for the same settings): unit 0 reads
    /// the data (`data`), the others load or train one member.
    /// - Throws: `UnitPlanError` when the plan does not fit or a needed unit has not finished.
    public static func runUnit(
        _ index: Int, folder: String, expected: UnitPlan, data: () throws -> ClassificationData, audio: Bool,
        dataName: String, cacheFolder: String, epochs: Int?, hooks: TrainingHooks
    ) throws {
        let unit = try UnitPlan.unit(index, folder: folder, expected: expected)
        let train = try data()
        if unit.kind == .run {
            _ = try member(
                trainingOrder[unit.index - 1], data: train, audio: audio, dataName: dataName, cacheFolder: cacheFolder,
                epochs: epochs, log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") })
        }
        try UnitPlan.markDone(unit, in: folder)
        hooks.log("unit \(unit.index) (\(unit.name)) finished")
    }

    /// Every member, `jobs` of them training at once (the engine threads divided among them; one
    /// job: `ensure`'s order and threads).
    public static func ensure(
        data: ClassificationData, audio: Bool, dataName: String, cacheFolder: String, epochs: Int?, jobs: Int,
        hooks: TrainingHooks
    ) throws -> [Judge] {
        let workers = ArmWorkers(jobs: jobs, arms: members.count)
        if workers.workers > 1 {
            hooks.log("training \(workers.workers) judges at once, \(workers.threadsPerWorker) engine thread(s) each")
        }
        var trained = [Judge?](repeating: nil, count: members.count)
        try workers.run(
            names: trainingOrder.map { members[$0].name }, hooks: hooks,
            work: { position, hooks in
                try member(
                    trainingOrder[position], data: data, audio: audio, dataName: dataName, cacheFolder: cacheFolder,
                    epochs: epochs, log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") })
            },
            finished: { position, judge in trained[trainingOrder[position]] = judge })
        return trained.map { $0! }
    }
}
