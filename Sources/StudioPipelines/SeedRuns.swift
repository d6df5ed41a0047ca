import Foundation
import ProbeGAN
import StudioSupport
import StudioTensor

/// One training command over several GAN seeds: one folder, one ordinary run folder per seed
/// (`seed-S/`), and `seeds.json` naming them. One seed is an anecdote; `studio evaluate` on the
/// folder reports every seed and the mean over seeds with a Student-t interval.
///
/// The same command continues an interrupted folder: finished seeds are kept, a seed with a
/// checkpoint resumes bit for bit, a seed not begun starts.
public enum SeedRuns {
    /// The file that makes a folder a seeds folder.
    public static let manifestName = "seeds.json"

    /// `seeds.json`.
    struct Manifest: Codable, Equatable {
        /// The GAN seeds, in order, and their run folders (relative to the seeds folder).
        let seeds: [UInt64], runs: [String]
    }

    /// True when `folder` holds `seeds.json`.
    public static func isSeedsFolder(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + manifestName)
    }

    /// The seeds and the run folders of a seeds folder.
    /// - Throws: `RunError.notARun` when `seeds.json` is missing or unreadable.
    public static func runs(in folder: String) throws -> (seeds: [UInt64], folders: [String]) {
        let path = folder + "/" + manifestName
        guard let data = FileManager.default.contents(atPath: path),
            let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
        else { throw RunError.notARun(path: path) }
        return (manifest.seeds, manifest.runs.map { folder + "/" + $0 })
    }

    /// The plan of a seeds folder for a scheduler: unit 0 reads the data and makes (or loads) the
    /// probed classifier and the judge, then one unit per seed. The final step is the same command
    /// without `--unit`, which keeps every trained seed.
    public static func plan(_ request: TrainingRequest, seeds: [UInt64], jobs: Int?) throws -> UnitPlan {
        struct Inputs: Encodable {
            var request: TrainingRequest
            var seeds: [UInt64]
        }
        let inputs = String(decoding: try RunFolder.json(Inputs(request: request, seeds: seeds)), as: UTF8.self)
        let units =
            [PlanUnit(index: 0, name: "prepare", kind: .prepare, after: [])]
            + seeds.enumerated().map {
                PlanUnit(index: $0.offset + 1, name: "seed-\($0.element)", kind: .run, after: [0])
            }
        return UnitPlan(
            name: "seeds", inputs: inputs, threads: EngineThreads.current, jobs: jobs ?? min(2, EngineThreads.count),
            units: units)
    }

    /// Claims the folder for `seeds` (as `run` would) and writes its plan there; trains nothing.
    public static func writePlan(_ request: TrainingRequest, seeds: [UInt64], jobs: Int?) throws -> UnitPlan {
        let lock = try FolderLock(request.runFolder)
        defer { lock.release() }
        try claim(request.runFolder, seeds: seeds)
        let plan = try plan(request, seeds: seeds, jobs: jobs)
        try plan.write(to: request.runFolder)
        return plan
    }

    /// Writes `seeds.json`, or checks that the folder's names the same seeds.
    /// - Throws: `RunError.resumeMismatch` when the folder holds other seeds or a single run.
    static func claim(_ folder: String, seeds: [UInt64]) throws {
        let manifest = Manifest(seeds: seeds, runs: seeds.map { "seed-\($0)" })
        if isSeedsFolder(folder) {
            let existing = try runs(in: folder).seeds
            guard existing == seeds else {
                throw RunError.resumeMismatch(
                    reason: "\(folder) holds GAN seeds \(existing.map(String.init).joined(separator: ",")), not "
                        + "\(seeds.map(String.init).joined(separator: ",")); continue it with those --seeds or pass "
                        + "another --out")
            }
        } else {
            if FileManager.default.fileExists(atPath: folder + "/configuration.json") {
                throw RunError.resumeMismatch(
                    reason: "\(folder) holds a single run; pass another --out for several seeds")
            }
            try AtomicFile.write(try RunFolder.json(manifest), to: folder + "/" + manifestName)
        }
    }

    /// Runs unit `index` of the folder's plan (written by `writePlan` for the same request and
    /// seeds): the prepare unit makes the probed classifier and the judge, a seed unit trains that
    /// seed with this process's engine threads. Each seed's run folder has its own lock, so
    /// units of different seeds run at once.
    /// - Throws: `UnitPlanError` when the plan does not fit or a needed unit has not finished.
    public static func runUnit(
        _ index: Int, of request: TrainingRequest, seeds: [UInt64], jobs: Int?, hooks: TrainingHooks
    ) throws {
        let folder = request.runFolder
        let unit = try UnitPlan.unit(index, folder: folder, expected: try plan(request, seeds: seeds, jobs: jobs))
        if unit.kind == .prepare {
            try prepare(request, hooks: hooks)
        } else {
            _ = try train(request, seed: seeds[unit.index - 1], folder: folder, hooks: hooks)
        }
        try UnitPlan.markDone(unit, in: folder)
        hooks.log("unit \(unit.index) (\(unit.name)) finished")
    }

    /// Reads the data and makes (or loads) the probed classifier and the judge, so that seeds
    /// training at once never train them twice.
    static func prepare(_ request: TrainingRequest, hooks: TrainingHooks) throws {
        let (train, _) = try ClassifierPipelines.data(request.source, cacheFolder: request.cacheFolder) {
            done, total in hooks.progress("reading", done, total, 0, "")
        }
        _ = try TrainingRun.loadClassifier(request, train: train, hooks: hooks)
        _ = try TrainingRun.loadJudge(request, train: train, hooks: hooks)
    }

    /// Trains (or keeps, or continues) one seed's run in `FOLDER/seed-S`.
    static func train(_ request: TrainingRequest, seed: UInt64, folder: String, hooks: TrainingHooks) throws
        -> RunSummary
    {
        var seeded = request
        seeded.seed = seed
        seeded.runFolder = folder + "/seed-\(seed)"
        let run = RunFolder(seeded.runFolder)
        if let data = FileManager.default.contents(atPath: run.summary),
            let done = try? JSONDecoder().decode(RunSummary.self, from: data)
        {
            hooks.log("seed \(seed) is already trained (\(run.summary))")
            return done
        }
        return try TrainingRun.run(
            seeded, resume: FileManager.default.fileExists(atPath: run.lastCheckpoint), hooks: hooks)
    }

    /// Trains (or continues) `request` once per seed in `request.runFolder`, `jobs` seeds at once
    /// (default: two with two or more engine threads).
    /// The probed classifier and the judge are made (or loaded) once, before any seed starts.
    /// - Throws: `RunError.resumeMismatch` when the folder holds other seeds.
    public static func run(_ request: TrainingRequest, seeds: [UInt64], jobs: Int?, hooks: TrainingHooks) throws
        -> [RunSummary]
    {
        let folder = request.runFolder
        let lock = try FolderLock(folder)
        defer { lock.release() }
        let manifest = Manifest(seeds: seeds, runs: seeds.map { "seed-\($0)" })
        try claim(folder, seeds: seeds)
        try prepare(request, hooks: hooks)
        var summaries = [RunSummary?](repeating: nil, count: seeds.count)
        let workers = ArmWorkers(jobs: jobs ?? min(2, EngineThreads.count), arms: seeds.count)
        if workers.workers > 1 {
            hooks.log("training \(workers.workers) seeds at once, \(workers.threadsPerWorker) engine thread(s) each")
        }
        try workers.run(
            names: manifest.runs, hooks: hooks,
            work: { index, hooks in try train(request, seed: seeds[index], folder: folder, hooks: hooks) },
            finished: { index, summary in summaries[index] = summary },
            merge: { errors in
                // Ctrl-C in every seed still training: continue the whole folder, not one seed.
                let stopped = errors.compactMap { failure -> Int? in
                    if case .interrupted(let iteration, _) = failure.error as? RunError { return iteration }
                    return nil
                }
                if stopped.count == errors.count {
                    return RunError.interrupted(
                        iteration: stopped[0], runFolder: URL(fileURLWithPath: folder).standardizedFileURL.path)
                }
                return errors.first { failure in
                    if case .interrupted = failure.error as? RunError { return false }
                    return true
                }!.error
            })
        return summaries.map { $0! }
    }
}
