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
        // Classifier and judge once, so that seeds training at once never train them twice.
        let (train, _) = try ClassifierPipelines.data(request.source, cacheFolder: request.cacheFolder) {
            done, total in hooks.progress("reading", done, total, 0, "")
        }
        _ = try TrainingRun.loadClassifier(request, train: train, hooks: hooks)
        _ = try TrainingRun.loadJudge(request, train: train, hooks: hooks)
        var summaries = [RunSummary?](repeating: nil, count: seeds.count)
        let workers = ArmWorkers(jobs: jobs ?? min(2, EngineThreads.count), arms: seeds.count)
        if workers.workers > 1 {
            hooks.log("training \(workers.workers) seeds at once, \(workers.threadsPerWorker) engine thread(s) each")
        }
        try workers.run(
            names: manifest.runs, hooks: hooks,
            work: { index, hooks in
                var seeded = request
                seeded.seed = seeds[index]
                seeded.runFolder = folder + "/" + manifest.runs[index]
                let run = RunFolder(seeded.runFolder)
                if let data = FileManager.default.contents(atPath: run.summary),
                    let done = try? JSONDecoder().decode(RunSummary.self, from: data)
                {
                    hooks.log("seed \(seeds[index]) is already trained (\(run.summary))")
                    return done
                }
                return try TrainingRun.run(
                    seeded, resume: FileManager.default.fileExists(atPath: run.lastCheckpoint), hooks: hooks)
            },
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
