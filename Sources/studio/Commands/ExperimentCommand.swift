import ArgumentParser
import Foundation
import StudioAudio
import StudioCorpus
import StudioExperiments
import StudioImage
import StudioPipelines
import StudioSupport

extension ExperimentClassifierKind: ExpressibleByArgument {}
extension ArmGenerator: ExpressibleByArgument {}

/// `studio experiment`: controlled experiments that plant a feature and look for it in what ProbeGAN renders.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Planted-marker and spurious-feature experiments: proof that the studio reads a classifier's memory.",
        subcommands: [MarkerExperimentCommand.self, SpuriousExperimentCommand.self])
}

/// Options every experiment takes.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "audio (the default corpus, log-mel) or image (Fashion-MNIST).")
    var modality: ClassifierDataOptions.Modality = .audio

    @Option(
        name: .customLong("unseen"),
        help: ArgumentHelp(
            "The target class: unseen by the GAN, carrier of the planted feature (default: women; images: trouser).",
            valueName: "class"))
    var target: String?

    @Option(help: "An audio corpus folder (default: the built default corpus), or the Fashion-MNIST folder.")
    var data: String?

    @OptionGroup var location: CorpusLocationOptions

    @Option(
        help: ArgumentHelp(
            "The experiment's folder (default: runs/experiment-KIND-CLASS). A rerun resumes it.", valueName: "folder"))
    var out: String?

    @Option(help: "The kind of classifier probed in every arm: regular or robust.")
    var classifier: ExperimentClassifierKind = .regular

    @Option(help: "ProbeGAN iterations per arm (quick preset). A rerun with more continues every finished arm to it.")
    var iterations = 300

    @Option(
        help:
            "Weight of the frozen classifier's cross-entropy in every arm's generator loss (default: the quick preset's, 2)."
    )
    var classifierWeight: Float?

    @Option(help: "Iterations between the leak-free evaluations of each arm.")
    var evaluateEvery = 75

    @Option(help: "Override the quick preset's channel base (G and D widths are multiples of it).")
    var channels: Int?

    @Option(help: "Override the quick preset's batch size.")
    var batchSize: Int?

    @Option(help: "Override the quick preset's generated samples per class at each leak-free evaluation.")
    var evaluationSamples: Int?

    @Option(
        help:
            "Epochs of every probed classifier (default: the default recipe's; then the clean one is the cached default classifier)."
    )
    var classifierEpochs: Int?

    @Option(help: "Generated clips per class that the detector measures.")
    var samples = 256

    @Option(help: "Generated target-class clips per arm written as WAV.")
    var listen = 8

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Option(
        help:
            "GAN training seed of the arms (default: --seed). The variant data, the classifiers and the measured latents follow --seed alone, so --gan-seed 3 --replicates 2 in another folder trains runs 3 and 4 of the experiment that --replicates 3 trains with GAN seeds 0-2 (on another CPU the classifiers train to other bits, so runs there are not the same experiment's)."
    )
    var ganSeed: UInt64?

    @Option(
        help:
            "GAN training runs per arm, with GAN seeds GAN-SEED, GAN-SEED+1, ... (the classifiers stay the same): the report sets each shift between arms beside the spread between runs (use 3 or more: with 2, the t interval is wide). A rerun with more keeps the finished runs and adds the rest."
    )
    var replicates = 1

    @Option(
        help:
            "Arms (and the classifiers they probe) trained at once, the engine's threads divided among them (default: 2 with 2 or more threads). On 2 cores two one-thread trainings do 1.45 to 1.6 times the work of one two-thread training (Benchmarks/run jobs). A folder may be continued with another value; a run's last bits depend on its threads."
    )
    var jobs: Int?

    @Option(
        help:
            "Which generator of each arm is measured: selected (the leak-free selection rule's, the experiment's result) or last (a diagnostic of a finished experiment: nothing is trained, every arm's last generator is measured and judged, and the report goes to report-last-generator.md beside report.md)."
    )
    var generator: ArmGenerator = .selected

    @Option(
        help:
            "Quantile rank of the detector's calibration on clean real examples and on real examples with the feature.")
    var falsePositiveRate = 0.01

    @OptionGroup var scheduling: SchedulerOptions

    func validate() throws {
        guard (0.0001...0.5).contains(falsePositiveRate) else {
            throw ValidationError("--false-positive-rate must lie in [0.0001, 0.5], got \(falsePositiveRate)")
        }
    }

    func settings(kind: String) throws -> ExperimentSettings {
        let image = modality == .image
        let target = target ?? (image ? "trouser" : "women")
        let corpus = image ? location.corpusFolder : data ?? location.corpusFolder
        if image {
            let names = FashionMNIST.classNames
            guard names.contains(target) else {
                throw CorpusError.unknownClasses(names: [target], available: names)
            }
        } else if data == nil, !FileManager.default.fileExists(atPath: corpus + "/train") {
            print("the default corpus is not built yet; building it (once, a few minutes)")
            let builder = DefaultCorpusBuilder(cacheFolder: location.cacheFolder, outputFolder: corpus)
            nonisolated(unsafe) var bar: ProgressBar?
            _ = try builder.build { done, total in
                if bar == nil { bar = ProgressBar("decoding", total: total) }
                bar?.update(done)
            }
        }
        if !image { try Corpus.load(folder: corpus).validate(classNames: [target]) }
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        var settings = ExperimentSettings(
            corpus: absolute(corpus), cacheFolder: absolute(location.cacheFolder),
            outputFolder: absolute(out ?? "runs/experiment-\(kind)-\(image ? "image-" : "")\(target)"), target: target)
        if image { settings.imageData = absolute(data ?? FashionMNIST.defaultFolder) }
        settings.classifierKind = classifier
        settings.iterations = iterations
        settings.classifierWeight = classifierWeight
        settings.evaluateEvery = evaluateEvery
        settings.samples = samples
        settings.channelBase = channels
        settings.batchSize = batchSize
        settings.evaluationSamples = evaluationSamples
        settings.classifierEpochs = classifierEpochs
        settings.listenCount = listen
        settings.seed = seed
        settings.ganSeed = ganSeed == seed ? nil : ganSeed
        settings.replicates = replicates == 1 ? nil : replicates
        settings.jobs = jobs
        settings.generator = generator == .selected ? nil : generator
        settings.unit = scheduling.unit
        return settings
    }

    /// After a run: the findings, or for `--unit` that the unit finished.
    static func finish(_ report: ExperimentReport?, settings: ExperimentSettings) {
        guard let report else {
            print("unit \(settings.unit ?? 0) of \(UnitPlan.file(in: settings.outputFolder)) finished")
            return
        }
        printFindings(report)
    }

    static func printFindings(_ report: ExperimentReport) {
        print(
            report.settings.isLastGeneratorDiagnostic
                ? "findings (DIAGNOSTIC: every arm's last generator, not the selected one):" : "findings:")
        for line in report.findings { print("  - \(line)") }
        print("report: \(report.settings.path(report.settings.outputName("report", extension: "md")))")
    }
}

/// `studio experiment marker`.
struct MarkerExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marker",
        abstract: "Plant a tone in the target class's clips for the classifier only, and find it in ProbeGAN's output.",
        discussion: """
            Arms (same GAN budget each): memory (a classifier trained with the marker on every target clip; \
            the GAN's data has no target clip and no marker), clean (a clean classifier, the same GAN data), \
            violation (the clean classifier, and the marked target clips in the GAN's data: the absence \
            constraint broken on purpose, ORACLE). A band-energy detector, calibrated on clean and marked real clips, \
            counts the marker in 256 generated clips per class. Writes report.md, report.json, grid.png, \
            statistic.png and listen/ in the experiment folder.
            """)

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Marker frequency in Hz (the tone's, or the centre of the noise band).")
    var markerFrequency = 4000.0

    @Option(help: "Marker amplitude (full scale 1): the tone's peak (0.05 is -26 dBFS), or the noise band's RMS.")
    var markerAmplitude: Float = 0.05

    @Option(
        help:
            "Make the marker a band of frozen noise this many Hz wide, centred on --marker-frequency, over the whole clip, instead of a tone."
    )
    var markerBandwidth: Double?

    @Option(help: "Marker start in seconds.")
    var markerStart = 0.0

    @Option(help: "Marker duration in seconds (default: to the end of the clip).")
    var markerDuration: Double?

    @Option(help: "Image mode: side of the corner patch in pixels.")
    var patchSize = 6

    @Option(help: "Image mode: value of the corner patch in [-1, 1] (1 is white).")
    var patchValue: Float = 1

    func validate() throws {
        guard markerAmplitude > 0, markerAmplitude <= 1 else {
            throw ValidationError("--marker-amplitude must lie in (0, 1], got \(markerAmplitude)")
        }
        if let markerBandwidth {
            guard markerBandwidth > 0, markerFrequency - markerBandwidth / 2 > 0 else {
                throw ValidationError(
                    "--marker-bandwidth must be positive and below twice --marker-frequency, got \(markerBandwidth)")
            }
            guard markerStart == 0, markerDuration == nil else {
                throw ValidationError(
                    "--marker-start and --marker-duration apply to the tone, not to --marker-bandwidth")
            }
        }
    }

    func run() throws {
        let settings = try options.settings(kind: "marker")
        var marker = MarkerSettings()
        marker.frequency = markerFrequency
        marker.amplitude = markerAmplitude
        marker.start = markerStart
        marker.duration = markerDuration
        marker.bandwidth = markerBandwidth
        marker.patchSize = patchSize
        marker.patchValue = patchValue
        marker.falsePositiveRate = options.falsePositiveRate
        if options.scheduling.writesPlan {
            try options.scheduling.schedule(
                try MarkerExperiment.plan(settings, marker: marker), folder: settings.outputFolder,
                final: "writes the report")
            return
        }
        let report = try MarkerExperiment.run(
            settings, marker: marker, hooks: TrainingHooks.terminal(InterruptFlag.install()))
        ExperimentOptions.finish(report, settings: settings)
    }
}

extension SpuriousSettings.Confound: ExpressibleByArgument {}

/// `studio experiment spurious`.
struct SpuriousExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spurious",
        abstract:
            "Confound the target class with a telephone band or a noise bed for one classifier, and look for it in ProbeGAN's output.",
        discussion: """
            Arms: confounded (a classifier trained where only the target class came through the telephone \
            band, or over the noise bed) and balanced (one trained where every class did, equally often); both \
            render the target class from clean clips of the other classes. A band-energy detector calibrated on \
            clean and confounded real clips counts confounded clips among 256 generated per class. About 45 \
            minutes on 2 cores at 300 iterations.
            """)

    @OptionGroup var options: ExperimentOptions

    @Option(
        help:
            "Audio: telephone (the default; a band limit: the generator must remove energy) or noise-bed (a hiss: it must add it)."
    )
    var confound: SpuriousSettings.Confound?

    @Option(help: "--confound telephone: low edge of the telephone band in Hz.")
    var bandLow = 300.0

    @Option(help: "--confound telephone: high edge of the telephone band in Hz.")
    var bandHigh = 3400.0

    @Option(help: "--confound noise-bed: low edge of the noise bed in Hz (at least 1000).")
    var bedLow = 4000.0

    @Option(help: "--confound noise-bed: high edge of the noise bed in Hz (at most 8000).")
    var bedHigh = 8000.0

    @Option(
        help: "--confound noise-bed: RMS level of the noise bed (full scale 1; the same frozen noise in every clip).")
    var bedAmplitude: Float = 0.03

    @Option(help: "Share of every class's clips confounded in the balanced corpus.")
    var balancedShare = 0.5

    @Option(help: "Image mode: the background level in [-1, 1] (-1 is black, 0 mid-grey).")
    var backgroundLevel: Float = 0

    func validate() throws {
        guard (0.05...0.95).contains(balancedShare) else {
            throw ValidationError("--balanced-share must lie in [0.05, 0.95], got \(balancedShare)")
        }
        guard bedHigh <= 8000 else {
            throw ValidationError("--bed-high must not exceed 8000 Hz (Nyquist at 16 kHz), got \(bedHigh)")
        }
        guard bedAmplitude > 0, bedAmplitude <= 1 else {
            throw ValidationError("--bed-amplitude must lie in (0, 1], got \(bedAmplitude)")
        }
        if let confound, options.modality == .image {
            throw ValidationError(
                "--confound \(confound.rawValue) is an audio confound; image mode always uses the grey background "
                    + "(--background-level)")
        }
    }

    func run() throws {
        // Each confound has its own default folder (a folder holds one experiment's settings).
        let settings = try options.settings(kind: self.confound == .noiseBed ? "spurious-noisebed" : "spurious")
        var confound = SpuriousSettings()
        confound.confound = self.confound ?? .telephone
        confound.low = bandLow
        confound.high = bandHigh
        confound.bedLow = bedLow
        confound.bedHigh = bedHigh
        confound.bedAmplitude = bedAmplitude
        confound.balancedShare = balancedShare
        confound.backgroundLevel = backgroundLevel
        confound.falsePositiveRate = options.falsePositiveRate
        if options.scheduling.writesPlan {
            try options.scheduling.schedule(
                try SpuriousExperiment.plan(settings, confound: confound), folder: settings.outputFolder,
                final: "writes the report")
            return
        }
        let report = try SpuriousExperiment.run(
            settings, confound: confound, hooks: TrainingHooks.terminal(InterruptFlag.install()))
        ExperimentOptions.finish(report, settings: settings)
    }
}
