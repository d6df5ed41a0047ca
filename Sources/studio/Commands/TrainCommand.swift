import ArgumentParser
import Foundation
import ProbeGAN
import StudioCorpus
import StudioPipelines
import StudioSupport

extension ProbeGANMethod: ExpressibleByArgument {}
extension ProbeGANPreset: ExpressibleByArgument {}

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
            and cached. Ctrl-C writes a checkpoint; --resume DIR continues bit for bit.
            """)

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Option(help: "Classes whose real data the GAN never sees, comma-separated (e.g. women or women,nonhuman).")
    var unseen: String?

    @Option(help: "probegan, naive, oracle (sees the class: an upper bound) or gan-am.")
    var method: ProbeGANMethod = .probegan

    @Option(help: "quick (default, minutes on 2 cores), standard or paper (the reference widths).")
    var preset: ProbeGANPreset = .quick

    @Option(help: "The classifier to probe: regular, robust (default) or a checkpoint path.")
    var classifier = "robust"

    @Option(help: "Run folder (default: runs/METHOD-UNSEEN-CLASSIFIER-PRESET).")
    var out: String?

    @Option(help: "Continue the run in this folder from its last checkpoint.")
    var resume: String?

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

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

    @Option(help: "Override the preset's iteration budget.")
    var iterations: Int?

    @Option(help: "Override lambda_g, the classifier loss weight.")
    var classifierWeight: Float?

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

    @Option(help: "Generated samples per class for the final summary.")
    var summarySamples = 256

    func validate() throws {
        for (name, value) in [
            ("--iterations", iterations), ("--evaluate-every", evaluateEvery), ("--batch-size", batchSize),
            ("--channels", channels), ("--evaluation-samples", evaluationSamples),
        ] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1, got \(value)") }
        }
        if let unseenShare, !(0...1).contains(unseenShare) {
            throw ValidationError("--unseen-share must lie in [0, 1], got \(unseenShare)")
        }
        guard summarySamples >= 2 else { throw ValidationError("--summary-samples must be at least 2") }
        if let seeds {
            let parsed = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }), Set(parsed).count == parsed.count else {
                throw ValidationError(
                    "--seeds must be distinct non-negative integers separated by commas, got \(seeds)")
            }
            if resume != nil { throw ValidationError("--resume continues a folder with its own seeds; drop --seeds") }
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
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
        let request = try makeRequest()
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
        if let seedList = try seedList() {
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
        let summary = try TrainingRun.run(request, resume: resume != nil, hooks: TrainingHooks.terminal(interrupt))
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

    func makeRequest() throws -> TrainingRequest {
        var configuration: (unseen: [String], method: ProbeGANMethod, preset: ProbeGANPreset, classifier: String)
        var source = try dataOptions.source()
        var judgePath: String?
        if let resume {
            // Settings and data come from the run itself (for a seeds folder, from a seed that has started).
            let runFolder =
                SeedRuns.isSeedsFolder(resume)
                ? try SeedRuns.runs(in: resume).folders.first {
                    FileManager.default.fileExists(atPath: $0 + "/configuration.json")
                } ?? resume : resume
            guard FileManager.default.fileExists(atPath: runFolder + "/configuration.json") else {
                throw ValidationError(
                    "\(runFolder)/configuration.json is missing: no run started there; start it again with the "
                        + "command that made it")
            }
            guard let resolved = try? RunFolder(runFolder).readResolvedConfiguration() else {
                throw ValidationError("\(runFolder)/configuration.json is not a studio run configuration")
            }
            let probegan = resolved.probegan
            configuration = (
                probegan.unseen.map { probegan.classNames[$0] }, probegan.method, probegan.preset,
                resolved.classifierPath
            )
            if let recorded = resolved.dataSource {
                if dataOptions.data != nil && recorded != source {
                    throw ValidationError(
                        "\(resume) was trained on \(resolved.data); --resume continues it on that data only: drop "
                            + "--data (or start a new run on the other data)")
                }
                source = recorded
            }
            judgePath = resolved.judgePath
        } else {
            guard let unseen, !unseen.isEmpty else {
                throw ValidationError("pass --unseen CLASS (e.g. --unseen women), or --resume DIR")
            }
            configuration = (
                unseen.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, method, preset,
                classifier
            )
        }
        var choice = ClassifierChoice(argument: configuration.classifier)
        // A resumed run that probes a default classifier keeps its name (regular or robust) while
        // that default is still the recorded checkpoint.
        for role in [ClassifierChoice.regular, .robust] where resume != nil {
            let defaultPath = DefaultClassifiers.path(
                role == .regular ? .regular : .robust, dataName: source.dataName,
                cacheFolder: dataOptions.location.cacheFolder)
            if defaultPath == configuration.classifier { choice = role }
        }
        let name =
            "\(configuration.method.rawValue)-\(configuration.unseen.joined(separator: "+"))-\(choice.label)-"
            + configuration.preset.rawValue
        var request = TrainingRequest(
            source: source, cacheFolder: dataOptions.location.cacheFolder,
            unseen: configuration.unseen, runFolder: resume ?? out ?? "runs/\(name)")
        request.method = configuration.method
        request.preset = configuration.preset
        request.classifier = choice
        request.seed = seed
        request.judgePath = judgePath
        request.iterations = iterations
        request.classifierWeight = classifierWeight
        request.unseenShare = unseenShare
        request.evaluateEvery = evaluateEvery
        request.batchSize = batchSize
        request.patience = patience
        request.channelBase = channels
        request.evaluationSamples = evaluationSamples
        request.summarySamples = summarySamples
        return request
    }
}

extension TrainingHooks {
    /// Progress bars on standard error, log lines on standard output, Ctrl-C from `flag`.
    static func terminal(_ flag: InterruptFlag) -> TrainingHooks {
        nonisolated(unsafe) var bar: (title: String, bar: ProgressBar)?
        let lock = NSLock()
        return TrainingHooks(
            log: { line in print(line) },
            progress: { title, done, total, startedAt, detail in
                lock.lock()
                // A new bar for a new phase (or the same title with another total, e.g. train then test clips).
                let key = "\(title)#\(total)"
                if bar?.title != key { bar = (key, ProgressBar(title, total: total, startingAt: startedAt)) }
                let current = bar?.bar
                lock.unlock()
                current?.update(done, detail: detail)
            },
            shouldStop: { flag.isSet })
    }
}

/// Set by SIGINT (Ctrl-C) or SIGTERM; a second Ctrl-C exits at once.
final class InterruptFlag: @unchecked Sendable {
    nonisolated(unsafe) static var raised: sig_atomic_t = 0

    var isSet: Bool { Self.raised != 0 }

    static func install() -> InterruptFlag {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if InterruptFlag.raised != 0 { _exit(130) }
            InterruptFlag.raised = 1
            let message = "\nstopping after this iteration and writing a checkpoint (Ctrl-C again to quit at once)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may start us with these signals blocked (they would then stay pending forever).
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        return InterruptFlag()
    }
}
