import Foundation
import StudioPipelines
import StudioSupport
import StudioTensor

/// What goes wrong in `studio experiment`; each case names the culprit and a way out.
public enum ExperimentError: Error, CustomStringConvertible, Equatable {
    /// The output folder holds an experiment with other settings.
    case settingsChanged(folder: String, file: String)
    /// The output folder holds the same experiment with more iterations per arm than asked for.
    case shorterBudget(folder: String, iterations: Int, asked: Int)
    /// A setting that cannot work.
    case badSetting(name: String, reason: String)
    /// A finished arm was trained with another classifier or judge than the experiment has now.
    case staleArm(arm: String, folder: String, reason: String)
    /// Ctrl-C during training: every arm that was training (`arms`, in the arms' order; several
    /// with `--jobs`) wrote a checkpoint, and rerunning the same experiment command continues them.
    case interrupted(arms: [StoppedArm], folder: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .settingsChanged(let folder, let file):
            return "\(folder) holds an experiment with other settings (\(file)); pass another --out, or delete "
                + "the folder to start over (its data, classifiers and runs were made for those settings)"
        case .shorterBudget(let folder, let iterations, let asked):
            return "\(folder) holds this experiment with --iterations \(iterations), more than \(asked); pass "
                + "--iterations \(iterations) to finish or rewrite it (or more to continue every arm), or another "
                + "--out for a shorter experiment"
        case .badSetting(let name, let reason):
            return "\(name): \(reason)"
        case .staleArm(let arm, let folder, let reason):
            return "the finished arm '\(arm)' (\(folder)) \(reason); delete that folder to train the arm again "
                + "with the current classifiers"
        case .interrupted(let arms, let folder):
            let stops = arms.map { "'\($0.name)' at iteration \($0.iteration)" }
            let rerun =
                "Rerun the same `studio experiment` command (same --out \(folder)) to continue: finished steps are "
                + "kept and "
            guard let last = stops.last, stops.count > 1 else {
                return "interrupted in the arm \(stops.joined()); a checkpoint was written. " + rerun
                    + "the arm resumes where it stopped"
            }
            return "interrupted in the arms \(stops.dropLast().joined(separator: ", ")) and \(last); each wrote a "
                + "checkpoint. " + rerun + "every arm resumes where it stopped"
        }
    }

    /// An arm that Ctrl-C stopped, and the iteration its checkpoint holds.
    public struct StoppedArm: Sendable, Equatable {
        /// The arm's name.
        public var name: String
        /// The iteration its checkpoint holds.
        public var iteration: Int
    }
}

/// Which kind of classifier an experiment probes (both arms get the same kind).
public enum ExperimentClassifierKind: String, Sendable, Codable, CaseIterable {
    /// The default regular recipe.
    case regular
    /// The default robust recipe (PGD fine-tuning of the regular one).
    case robust
}

/// Which generator of each arm an experiment measures.
public enum ArmGenerator: String, Sendable, Codable, CaseIterable {
    /// The one the leak-free selection rule kept: the experiment's result.
    case selected
    /// The last one trained (the EMA generator of `checkpoints/last.safetensors`): a diagnostic
    /// that tells where a feature sits from which generator the selection rule kept. Never a basis
    /// for choosing a generator: that would bring the target class into model selection.
    case last
}

/// Settings shared by the controlled experiments. Written to `experiment.json`; a rerun with the
/// same settings resumes (finished steps are kept), a rerun with only a larger `iterations`
/// continues every arm to it, one with another `replicates` adds (or leaves out) replicate runs,
/// and a rerun with other settings is refused.
public struct ExperimentSettings: Sendable, Codable, Equatable {
    /// The clean corpus (the default corpus unless the user gives one); unused in image mode.
    public var corpus: String
    /// Image mode: the Fashion-MNIST folder (nil: audio).
    public var imageData: String?
    /// Where the default classifiers, the judge and the feature cache live.
    public var cacheFolder: String
    /// The experiment's folder.
    public var outputFolder: String
    /// The target class: unseen by the GAN, carrier of the planted feature.
    public var target: String
    /// The kind of classifier probed in every arm.
    public var classifierKind: ExperimentClassifierKind = .regular
    /// ProbeGAN iterations per arm (`quick` preset otherwise) and evaluation interval.
    public var iterations = 300, evaluateEvery = 75
    /// Weight of the frozen classifier's cross-entropy in the generator's loss (nil: the quick preset's, 2).
    public var classifierWeight: Float?
    /// Overrides of the quick preset's channel base, batch size and evaluation samples (nil: the preset's).
    public var channelBase: Int?, batchSize: Int?, evaluationSamples: Int?
    /// Epochs of every probed classifier the experiment trains (nil: the default recipe's, and the
    /// clean classifier is the cached default one; set: the clean one is trained here too, alike).
    public var classifierEpochs: Int?
    /// Generated samples per class that are measured.
    public var samples = 256
    /// Clips per arm written as WAV for listening.
    public var listenCount = 8
    /// Seed of every random choice.
    public var seed: UInt64 = 0
    /// The arms' GAN training seed (nil: `seed`). The variant data, the probed classifiers and the
    /// measured latents follow `seed` alone, so one experiment's training runs can be spread over
    /// folders (not over CPUs of other kinds, whose arithmetic trains other classifiers): `--gan-seed 3 --replicates 2` trains the runs with GAN seeds 3 and 4 of
    /// the same classifiers that `--replicates 3` trains with seeds 0-2.
    public var ganSeed: UInt64? = nil
    /// GAN training runs per arm (nil: 1): replicate `k` trains every arm again with GAN seed
    /// `firstGANSeed + k`, so each shift between arms can be set beside the spread between training runs.
    public var replicates: Int? = nil

    /// The GAN seed of the arms themselves; replicates continue from it.
    public var firstGANSeed: UInt64 { ganSeed ?? seed }

    /// GAN training runs per arm.
    public var replicateCount: Int { replicates ?? 1 }

    /// The unit of the folder's plan this invocation runs (nil: the whole experiment). Like `jobs`,
    /// not part of the experiment's record.
    public var unit: Int? = nil

    /// Arms trained at once (nil: `defaultJobs`), each on the engine's threads divided among them.
    /// It changes how fast the arms train, not what they are, so a folder may be continued with
    /// another value; a run's last bits depend on its engine threads (`EngineThreads`).
    public var jobs: Int? = nil

    /// Arms trained at once.
    public var jobCount: Int { jobs ?? Self.defaultJobs }

    /// Which generator of each arm is measured (nil: the selected one). `.last` trains nothing: it
    /// measures a finished experiment again and writes its report beside the real one, in files
    /// named `NAME-last-generator` (see `outputName`). Like `jobs`, not part of the experiment's record.
    public var generator: ArmGenerator? = nil

    /// True when the report is the last-generator diagnostic, not the experiment's result.
    public var isLastGeneratorDiagnostic: Bool { generator == .last }

    /// For the last-generator diagnostic, which trains nothing: `path` (a classifier or the judge a
    /// finished experiment made) must exist. Elsewhere nothing is required.
    /// - Throws: `ExperimentError.badSetting` naming the missing file and the way out.
    func requireForDiagnostic(_ path: String, what: String) throws {
        guard isLastGeneratorDiagnostic, !FileManager.default.fileExists(atPath: path) else { return }
        throw ExperimentError.badSetting(
            name: "--generator last",
            reason: "\(what) \(path) is missing, and the diagnostic trains nothing; run the same command without "
                + "--generator last first")
    }

    /// The file name of one of the experiment's outputs (`report`, `grid`, ...): with the
    /// diagnostic's suffix when the last generators are measured.
    public func outputName(_ stem: String, extension fileExtension: String) -> String {
        (isLastGeneratorDiagnostic ? "\(stem)-last-generator" : stem) + "." + fileExtension
    }

    /// Two arms at once when the engine has two threads or more: on 2 cores, two one-thread
    /// trainings do 1.45 to 1.6 times the work of one two-thread training (`Benchmarks/run jobs`).
    public static var defaultJobs: Int { min(2, EngineThreads.count) }

    /// Settings with defaults for everything but the data, the folders and the target.
    public init(corpus: String, cacheFolder: String, outputFolder: String, target: String) {
        self.corpus = corpus
        self.cacheFolder = cacheFolder
        self.outputFolder = outputFolder
        self.target = target
    }

    /// True in image mode.
    public var isImage: Bool { imageData != nil }

    /// The clean data source.
    public var source: ClassifierDataSource {
        imageData.map { .fashionMNIST(folder: $0) } ?? .audio(corpus: corpus)
    }

    /// The clean data's name in the classifier cache.
    var dataName: String { isImage ? "image-fashion-mnist" : "audio" }

    /// A path inside the experiment's folder.
    public func path(_ relative: String) -> String {
        URL(fileURLWithPath: outputFolder).appendingPathComponent(relative).path
    }

    /// What `experiment.json` holds: the settings that make the experiment and its own settings.
    struct Record: Codable, Equatable {
        var settings: ExperimentSettings
        var details: String
    }

    /// The settings as the experiment's record holds them: how it runs (jobs, unit) and the
    /// diagnostic are not part of the experiment and are left out.
    var recorded: ExperimentSettings {
        var recorded = self
        recorded.jobs = nil
        recorded.generator = nil
        recorded.unit = nil
        return recorded
    }

    /// The experiment's record as JSON text, the inputs a plan is written for.
    func recordText(details: String) throws -> String {
        String(decoding: try RunFolder.json(Record(settings: recorded, details: details)), as: UTF8.self)
    }

    /// Checks the numbers, and that the folder holds no experiment with other settings; writes
    /// `experiment.json` (with `details`, the experiment's own settings, as JSON text).
    func claimFolder(details: String) throws {
        for (name, value) in [
            ("--iterations", iterations), ("--evaluate-every", evaluateEvery), ("--samples", samples),
            ("--channels", channelBase ?? 1), ("--batch-size", batchSize ?? 1),
            ("--evaluation-samples", evaluationSamples ?? 1), ("--classifier-epochs", classifierEpochs ?? 1),
            ("--replicates", replicateCount), ("--jobs", jobCount),
        ] where value < 1 {
            throw ExperimentError.badSetting(name: name, reason: "must be at least 1, got \(value)")
        }
        if let classifierWeight, !(classifierWeight > 0 && classifierWeight.isFinite) {
            throw ExperimentError.badSetting(
                name: "--classifier-weight", reason: "must be a positive number, got \(classifierWeight)")
        }
        guard listenCount >= 0 else {
            throw ExperimentError.badSetting(name: "--listen", reason: "must be at least 0, got \(listenCount)")
        }
        let record = Record(settings: recorded, details: details)
        let file = path("experiment.json")
        if isLastGeneratorDiagnostic {
            // The diagnostic measures an experiment as it stands: the same settings, nothing trained.
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ExperimentError.badSetting(
                    name: "--generator last",
                    reason: "\(outputFolder) holds no experiment to measure again; run the same command without "
                        + "--generator last first")
            }
            guard let existing = try? JSONDecoder().decode(Record.self, from: data), existing == record else {
                throw ExperimentError.badSetting(
                    name: "--generator last",
                    reason: "\(file) records other settings (or another --iterations / --replicates); pass the "
                        + "settings the experiment ran with")
            }
            return
        }
        if let data = FileManager.default.contents(atPath: file) {
            guard var existing = try? JSONDecoder().decode(Record.self, from: data) else {
                throw ExperimentError.settingsChanged(folder: outputFolder, file: file)
            }
            // Only the budget and the number of replicates may differ: a larger budget continues
            // every arm, a smaller one would report generators trained longer than it says; more
            // replicates add runs, fewer leave some out of the report.
            let trained = existing.settings.iterations
            let replicated = existing.settings.replicates
            existing.settings.iterations = iterations
            existing.settings.replicates = replicates
            guard existing == record else { throw ExperimentError.settingsChanged(folder: outputFolder, file: file) }
            guard trained <= iterations else {
                throw ExperimentError.shorterBudget(folder: outputFolder, iterations: trained, asked: iterations)
            }
            if trained == iterations && (replicated ?? 1) == replicateCount { return }
            // A run always evaluates at its last iteration; unless that is a regular evaluation, a
            // continued arm would keep one that a run trained to the new budget at once never made.
            guard trained == iterations || trained % evaluateEvery == 0 else {
                throw ExperimentError.badSetting(
                    name: "--iterations",
                    reason: "\(outputFolder) holds this experiment at \(trained) iterations per arm, not a multiple "
                        + "of --evaluate-every \(evaluateEvery), so continuing its arms would not equal training "
                        + "them to \(iterations) at once; pass another --out")
            }
        }
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        try AtomicFile.write(try RunFolder.json(record), to: file)
    }
}
