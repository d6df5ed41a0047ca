import ArgumentParser
import Foundation
import StudioPipelines
import StudioSupport

extension EvaluatedGenerator: ExpressibleByArgument {}

/// `studio evaluate`: the judge's view of one or more runs, in one table.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract:
            "Judge recognition (Wilson CI) and intra-class Frechet distance (bootstrap CI) per class, across runs.",
        discussion: """
            The judge is the independent classifier recorded in each run's configuration.json (another \
            architecture and seed), never used for training or selection; it is not a human listener. \
            --judge PATH (repeatable) scores every run by other judges instead, on the same samples: judges \
            that agree on real clips can disagree widely on generated ones. \
            Audio runs are also measured without any judge: the same samples are rendered to audio (as \
            studio render writes them) and compared, per class, with the real held-out clips and with those \
            clips resynthesised through the same inversion (the control): pitch (YIN median F0, voiced share, \
            F0 histograms), a pitch-only classifier fitted on the real training clips, and speech-likeness \
            (F0 movement, spectral flatness, harmonic-to-noise ratio, envelope modulation, silence, diversity \
            and one Frechet distance over them). These files go to RUN/evaluation/ (acoustic.json, \
            f0-histograms.png), which studio report shows. --no-acoustic skips them. \
            Every run is also scored by the judge panel: five judges of three architecture families, trained \
            once per data set on first use (about 15 minutes each for the default corpus on 2 cores) and \
            cached beside the default judge; per class each judge's recognition, the median, the range and \
            the majority vote, for generated and for real held-out clips. --no-panel skips it.
            --generator last samples each run's last checkpoint instead of the generator its selection \
            rule kept (a diagnostic of what more training did; its files go to RUN/evaluation/last/).
            Runs written before their data source was recorded use --modality/--dataset/--data.
            """)

    @Option(name: .customLong("run"), help: ArgumentHelp("A run folder (repeat to compare runs).", valueName: "folder"))
    var runs: [String] = []

    @Option(help: "Generated samples per class.")
    var samples = 256

    @Option(help: "Bootstrap resamples for the Frechet-distance intervals (0: none).")
    var bootstrap = 200

    @Option(help: "Seed of the latents and the bootstrap.")
    var seed: UInt64 = 0

    @Option(
        name: .customLong("judge"),
        help:
            "A judge checkpoint that replaces each run's recorded judge (repeat to score every run by several judges on the same samples)."
    )
    var judges: [String] = []

    @Option(
        help: ArgumentHelp("Folder for evaluation.md and evaluation.json (default: print only).", valueName: "folder"))
    var out: String?

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Flag(
        inversion: .prefixedNo,
        help: "Measure audio runs acoustically (pitch, pitch classifier, speech-likeness) beside the judge.")
    var acoustic = true

    @Flag(inversion: .prefixedNo, help: "Score every run by the judge panel (trained once per data set on first use).")
    var panel = true

    @Option(help: "Override every panel judge's epoch budget (a quick look; the cache keeps one recipe per judge).")
    var panelEpochs: Int?

    @Option(
        help:
            "Which generator of each run: selected (the selection rule's choice, the run's answer) or last (the last checkpoint's EMA generator, a diagnostic)."
    )
    var generator: EvaluatedGenerator = .selected

    @Flag(help: "Print the JSON report.")
    var json = false

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one --run DIR") }
        guard samples >= 8 else { throw ValidationError("--samples must be at least 8 for a Frechet distance") }
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be >= 0") }
        if let panelEpochs, panelEpochs < 1 { throw ValidationError("--panel-epochs must be at least 1") }
        for judge in judges where !FileManager.default.fileExists(atPath: judge) {
            throw ValidationError("--judge \(judge): no such checkpoint")
        }
    }

    func run() throws {
        nonisolated(unsafe) var bar: ProgressBar?
        let log: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let report = try RunComparison.evaluate(
            runFolders: runs, samples: samples, bootstrap: bootstrap, seed: seed,
            fallbackSource: try dataOptions.source(), cacheFolder: dataOptions.location.cacheFolder, judges: judges,
            acoustic: acoustic, panel: panel, panelEpochs: panelEpochs, generator: generator,
            log: log
        ) { done, total in
            if bar == nil { bar = ProgressBar("runs", total: total) }
            bar?.update(done)
        }
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try AtomicFile.write(Data(report.markdown.utf8), to: out + "/evaluation.md")
            try AtomicFile.write(Data(try jsonString(report).utf8), to: out + "/evaluation.json")
        }
        print(json ? try jsonString(report) : report.markdown)
    }
}
