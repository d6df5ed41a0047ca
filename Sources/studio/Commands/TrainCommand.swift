import ArgumentParser
import Foundation
import ProbeGAN
import StudioCorpus
import StudioPipelines
import StudioSupport

extension ProbeGANMethod: ExpressibleByArgument {}
extension ProbeGANPreset: ExpressibleByArgument {}
extension SelectionFidelity: ExpressibleByArgument {}

/// `studio train`: the main job.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train ProbeGAN (or a baseline) so that it renders a class whose real data it never saw.",
        discussion: """
            The GAN's real training set lacks the --unseen classes; the frozen classifier (trained on every \
            class) is the only source of what they sound like. The default classifier is the robust one: \
            with a regular classifier the unseen class appears early and then drifts into patterns only \
            that classifier believes. The default corpus, classifiers and judge are built on first use \
            and cached. Ctrl-C writes a checkpoint; --resume DIR continues bit for bit. Every run folder's \
            configuration.json records the whole request: --config FILE starts that run again (flags given \
            beside it replace the file's settings; the data comes from the file unless --data is given).
            """)

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Option(help: "Classes whose real data the GAN never sees, comma-separated (e.g. women or women,nonhuman).")
    var unseen: String?

    @Option(help: "probegan (default), naive, oracle (sees the class: an upper bound) or gan-am.")
    var method: ProbeGANMethod?

    @Option(help: "quick (default, minutes on 2 cores), standard or paper (the reference widths).")
    var preset: ProbeGANPreset?

    @Option(help: "The classifier to probe: regular, robust (default) or a checkpoint path.")
    var classifier: String?

    @Option(help: ArgumentHelp("Run folder (default: runs/METHOD-UNSEEN-CLASSIFIER-PRESET).", valueName: "folder"))
    var out: String?

    @Option(help: ArgumentHelp("Continue the run in this folder from its last checkpoint.", valueName: "folder"))
    var resume: String?

    @Option(
        help: ArgumentHelp(
            "Start a new run with every setting of a run's configuration.json (flags given beside it win).",
            valueName: "file"))
    var config: String?

    @Option(help: "Seed of every random choice (default 0).")
    var seed: UInt64?

    @Option(
        help: ArgumentHelp(
            "GAN seeds, comma-separated (e.g. 0,1,2): one run folder per seed under --out, and seeds.json; "
                + "studio evaluate on the folder reports every seed and their mean with an interval.",
            valueName: "seeds"))
    var seeds: String?

    @Option(
        help:
            "With --seeds: seeds trained at once, the engine's threads divided among them (default: 2 with 2 or more threads); a run's last bits depend on its threads."
    )
    var jobs: Int?

    @Option(
        help: ArgumentHelp(
            "Data parallelism: split every batch into this many shards, computed by one thread each and, under "
                + "mpirun, shared among the ranks; the result is the same bits for every rank count that divides "
                + "it (default under mpirun: 4, or the rank count).",
            valueName: "shards"))
    var shards: Int?

    @Option(help: "Override the preset's iteration budget.")
    var iterations: Int?

    @Option(help: "Override lambda_g, the classifier loss weight.")
    var classifierWeight: Float?

    @Option(
        help:
            "The classifier loss weight on fakes of seen classes (default: lambda_g, as for the unseen classes; D_c already ties seen classes to their real clips)."
    )
    var seenClassifierWeight: Float?

    @Flag(
        help:
            "Differentiable augmentation of every image the discriminators see, real and generated: a circular time shift of up to 1/8 of the frames and a level change of up to about 6.5 dB."
    )
    var diffAugment = false

    @Option(help: "Adam step size of the generator (default 2e-4).")
    var generatorLearningRate: Float?

    @Option(help: "Adam step size of both discriminators (default 2e-4).")
    var discriminatorLearningRate: Float?

    @Option(help: "D steps per G step, each with its own real batch (default: the preset's).")
    var discriminatorSteps: Int?

    @Option(help: "Share of fakes drawn from the unseen classes (class dilution; default: uniform over all classes).")
    var unseenShare: Double?

    @Option(help: "Iterations between evaluations and checkpoints.")
    var evaluateEvery: Int?

    @Option(help: "Override the batch size.")
    var batchSize: Int?

    @Option(help: "Override the preset's channel base ch (G and D widths are multiples of it).")
    var channels: Int?

    @Option(help: "Generated samples per class at each leak-free evaluation (default 64).")
    var evaluationSamples: Int?

    @Option(help: "Evaluations without a better selection score before stopping (0: never stop early).")
    var patience: Int?

    @Option(
        help:
            "What breaks near-ties of the selection score: classifier-features (default; seen-class distance in the probed classifier's features) or speech-likeness (audio: the rendered seen-class clips against the GAN's own training clips rendered the same way)."
    )
    var selection: SelectionFidelity?

    @Option(help: "Generated samples per class for the final summary (default 256).")
    var summarySamples: Int?

    @OptionGroup(title: "Scheduling (with --seeds)") var scheduling: SchedulerOptions

    func validate() throws {
        for (name, value) in [
            ("--iterations", iterations), ("--evaluate-every", evaluateEvery), ("--batch-size", batchSize),
            ("--channels", channels), ("--evaluation-samples", evaluationSamples),
            ("--discriminator-steps", discriminatorSteps),
        ] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1, got \(value)") }
        }
        if let seenClassifierWeight, !(seenClassifierWeight >= 0 && seenClassifierWeight.isFinite) {
            throw ValidationError("--seen-classifier-weight must be a finite number >= 0, got \(seenClassifierWeight)")
        }
        for (name, value) in [
            ("--generator-learning-rate", generatorLearningRate),
            ("--discriminator-learning-rate", discriminatorLearningRate),
        ] {
            if let value, !(value > 0 && value.isFinite) {
                throw ValidationError("\(name) must be a finite number > 0, got \(value)")
            }
        }
        if let unseenShare, !(0...1).contains(unseenShare) {
            throw ValidationError("--unseen-share must lie in [0, 1], got \(unseenShare)")
        }
        if let summarySamples, summarySamples < 2 {
            throw ValidationError("--summary-samples must be at least 2, got \(summarySamples)")
        }
        if config != nil && resume != nil {
            throw ValidationError("--config starts a new run and --resume continues one: pass one of them")
        }
        if let seeds {
            let parsed = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }), Set(parsed).count == parsed.count else {
                throw ValidationError(
                    "--seeds must be distinct non-negative integers separated by commas, got \(seeds)")
            }
            if resume != nil { throw ValidationError("--resume continues a folder with its own seeds; drop --seeds") }
        }
        if (scheduling.writesPlan || scheduling.unit != nil) && seeds == nil {
            throw ValidationError("--plan, --unit and --submit split several GAN seeds into units: they need --seeds")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let shards, shards < 1 { throw ValidationError("--shards must be at least 1, got \(shards)") }
        if shards != nil && (seeds != nil || jobs != nil) {
            throw ValidationError("--shards spreads one training; --seeds and --jobs train several: pass one of them")
        }
        if jobs != nil && seeds == nil && !(resume.map(SeedRuns.isSeedsFolder) ?? false) {
            throw ValidationError("--jobs trains several seeds at once: it needs --seeds")
        }
    }

    /// The seeds of a multi-seed command: `--seeds`, or those of the seeds folder it resumes.
    func seedList() throws -> [UInt64]? {
        if let seeds {
            return seeds.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        }
        if let resume, SeedRuns.isSeedsFolder(resume) { return try SeedRuns.runs(in: resume).seeds }
        return nil
    }

    func run() throws {
        let parallel = try DataParallelSetup.launch(shards: shards)
        if parallel?.group.world != nil && (seeds != nil || resume.map(SeedRuns.isSeedsFolder) == true) {
            throw ValidationError("mpirun spreads one training over its ranks; train several seeds without mpirun")
        }
        if let parallel, !parallel.isCoordinator {
            // An MPI rank other than 0: rank 0 prepares everything and writes the run folder.
            do {
                _ = try parallel.follow()
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                parallel.group.world?.abort(code: 1)
            }
            parallel.finish()
            return
        }
        do {
            try train(parallel: parallel)
        } catch  where parallel?.group.world != nil {
            // The other ranks wait for this one: stop them all, after saying why.
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            parallel?.group.world?.abort(code: 1)
        }
        parallel?.finish()
    }

    func train(parallel: DataParallelSetup?) throws {
        let (request, recorded) = try makeRequest()
        if case .audio(let folder) = request.source, folder == dataOptions.location.corpusFolder,
            !FileManager.default.fileExists(atPath: folder + "/train")
        {
            print("the default corpus is not built yet; building it (once, a few minutes)")
            let builder = DefaultCorpusBuilder(
                cacheFolder: dataOptions.location.cacheFolder, outputFolder: dataOptions.location.corpusFolder)
            nonisolated(unsafe) var bar: ProgressBar?
            _ = try builder.build { done, total in
                if bar == nil { bar = ProgressBar("decoding", total: total) }
                bar?.update(done)
            }
        }
        let interrupt = InterruptFlag.install()
        let seedList = try seedList()
        if let seedList, scheduling.writesPlan {
            let plan = try SeedRuns.writePlan(request, seeds: seedList, jobs: jobs)
            try scheduling.schedule(plan, folder: request.runFolder, final: "prints every seed's result")
            return
        }
        if let seedList, let unit = scheduling.unit {
            try SeedRuns.runUnit(
                unit, of: request, seeds: seedList, jobs: jobs, hooks: TrainingHooks.terminal(interrupt))
            print("unit \(unit) of \(UnitPlan.file(in: request.runFolder)) finished")
            return
        }
        if let seedList {
            let summaries = try SeedRuns.run(
                request, seeds: seedList, jobs: jobs, hooks: TrainingHooks.terminal(interrupt))
            print("seeds folder: \(request.runFolder)")
            for (seed, summary) in zip(seedList, summaries) {
                let classes = summary.classes.keys.sorted().map { name in
                    String(format: "%@ %.1f%%", name, 100 * summary.classes[name]!.judgeRecognition)
                }
                print(
                    "  seed \(seed): selected iteration \(summary.selectedIteration); judge recognition "
                        + classes.joined(separator: ", "))
            }
            print("every seed and their mean: studio evaluate --run \(request.runFolder)")
            return
        }
        let summary = try TrainingRun.run(
            request, resuming: recorded, hooks: TrainingHooks.terminal(interrupt), parallel: parallel)
        print("run folder: \(request.runFolder)")
        print(
            "stopped by \(summary.stopReason) after \(summary.iterations) iterations; selected iteration "
                + "\(summary.selectedIteration); \(String(format: "%.0f", summary.trainingSeconds)) s of training")
        for name in summary.classes.keys.sorted() {
            let result = summary.classes[name]!
            print(
                String(
                    format: "  %@%@: judge recognition %.1f%%, classifier %.1f%%, FD %@ (real halves %@; %d held-out)",
                    name, result.unseen ? " (unseen)" : "", 100 * result.judgeRecognition,
                    100 * result.classifierRecognition,
                    result.frechetDistance.map { String(format: "%.1f", $0) } ?? "-",
                    result.heldOutHalvesDistance.map { String(format: "%.1f", $0) } ?? "-", result.heldOutCount))
        }
        print("listen: studio render --run \(request.runFolder) --class \(summary.unseen.first ?? "CLASS") --out DIR")
    }

    /// The one typed request of this command, and (when resuming one run) that run's recorded
    /// configuration: from the flags, from `--config`'s file with the flags given beside it, or from
    /// the run `--resume` continues.
    func makeRequest() throws -> (TrainingRequest, ResolvedRunConfiguration?) {
        let cacheFolder = dataOptions.location.cacheFolder
        if let resume {
            // Settings and data come from the run itself (for a seeds folder, from a seed that has started).
            let seedsFolder = SeedRuns.isSeedsFolder(resume)
            let runFolder =
                seedsFolder
                ? try SeedRuns.runs(in: resume).folders.first {
                    FileManager.default.fileExists(atPath: $0 + "/configuration.json")
                } ?? resume : resume
            guard FileManager.default.fileExists(atPath: runFolder + "/configuration.json") else {
                throw ValidationError(
                    "\(runFolder)/configuration.json is missing: no run started there; start it again with the "
                        + "command that made it")
            }
            var (request, recorded) = try TrainingRequest.resuming(runFolder, cacheFolder: cacheFolder)
            if dataOptions.data != nil, try dataOptions.source() != request.source {
                throw ValidationError(
                    "\(resume) was trained on \(recorded.data); --resume continues it on that data only: drop "
                        + "--data (or start a new run on the other data)")
            }
            if recorded.request != nil {
                let changed = changedSettings(from: request)
                if !changed.isEmpty {
                    throw ValidationError(
                        "\(resume) keeps the settings it started with; only --iterations, --patience and "
                            + "--summary-samples may change (drop \(changed.joined(separator: ", ")), or start a new "
                            + "run with --config \(runFolder)/configuration.json and the changed flags)")
                }
            }
            request.runFolder = resume
            applyBudget(to: &request)
            // A seeds folder: every seed reads its own configuration when it resumes.
            return (request, seedsFolder ? nil : recorded)
        }
        var request: TrainingRequest
        if let config {
            request = try TrainingRequest.recorded(inConfiguration: config)
            request.cacheFolder = cacheFolder
            if dataOptions.data != nil { request.source = try dataOptions.source() }
        } else {
            guard unseen != nil else {
                throw ValidationError(
                    "pass --unseen CLASS (e.g. --unseen women), --config RUN/configuration.json or --resume DIR")
            }
            request = TrainingRequest(
                source: try dataOptions.source(), cacheFolder: cacheFolder, unseen: [], runFolder: "")
        }
        for flag in settingFlags { flag.apply(&request) }
        applyBudget(to: &request)
        let name =
            "\(request.method.rawValue)-\(request.unseen.joined(separator: "+"))-\(request.classifier.label)-"
            + request.preset.rawValue
        request.runFolder = out ?? "runs/\(name)"
        return (request, nil)
    }

    /// The settings flags given on the command line, each with the change it makes to a request.
    var settingFlags: [(name: String, apply: (inout TrainingRequest) -> Void)] {
        var flags = [(name: String, apply: (inout TrainingRequest) -> Void)]()
        if let unseen {
            let names = unseen.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            flags.append(("--unseen", { $0.unseen = names }))
        }
        if let method { flags.append(("--method", { $0.method = method })) }
        if let preset { flags.append(("--preset", { $0.preset = preset })) }
        if let classifier { flags.append(("--classifier", { $0.classifier = ClassifierChoice(argument: classifier) })) }
        if let seed { flags.append(("--seed", { $0.seed = seed })) }
        if let classifierWeight { flags.append(("--classifier-weight", { $0.classifierWeight = classifierWeight })) }
        if let unseenShare { flags.append(("--unseen-share", { $0.unseenShare = unseenShare })) }
        if diffAugment { flags.append(("--diff-augment", { $0.augmentation = DiscriminatorAugmentation() })) }
        if let seenClassifierWeight {
            flags.append(("--seen-classifier-weight", { $0.seenClassifierWeight = seenClassifierWeight }))
        }
        if let generatorLearningRate {
            flags.append(("--generator-learning-rate", { $0.generatorLearningRate = generatorLearningRate }))
        }
        if let discriminatorLearningRate {
            flags.append(
                ("--discriminator-learning-rate", { $0.discriminatorLearningRate = discriminatorLearningRate }))
        }
        if let discriminatorSteps {
            flags.append(("--discriminator-steps", { $0.discriminatorSteps = discriminatorSteps }))
        }
        if let evaluateEvery { flags.append(("--evaluate-every", { $0.evaluateEvery = evaluateEvery })) }
        if let batchSize { flags.append(("--batch-size", { $0.batchSize = batchSize })) }
        if let channels { flags.append(("--channels", { $0.channelBase = channels })) }
        if let evaluationSamples {
            flags.append(("--evaluation-samples", { $0.evaluationSamples = evaluationSamples }))
        }
        if let selection { flags.append(("--selection", { $0.selection = selection })) }
        return flags
    }

    /// The settings flags given with values other than `recorded`'s (a resumed run keeps its own).
    func changedSettings(from recorded: TrainingRequest) -> [String] {
        settingFlags.filter { flag in
            var changed = recorded
            flag.apply(&changed)
            return changed != recorded
        }.map(\.name)
    }

    /// The flags a resumed run may change too: its budget, patience and summary size.
    func applyBudget(to request: inout TrainingRequest) {
        if let iterations { request.iterations = iterations }
        if let patience { request.patience = patience }
        if let summarySamples { request.summarySamples = summarySamples }
    }
}
