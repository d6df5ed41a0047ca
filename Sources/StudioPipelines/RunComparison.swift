import Foundation
import ProbeGAN
import StudioClassifiers
import StudioData
import StudioEvaluation
import StudioModels
import StudioSupport
import StudioTensor

/// What `studio evaluate` measures for one class of one run.
public struct EvaluatedClass: Sendable, Codable {
    /// The class and whether it was unseen by the GAN.
    public let name: String, unseen: Bool
    /// Generated samples scored.
    public let samples: Int
    /// The judge's recognition of the generated samples, with its Wilson 95% interval.
    public let judgeRecognition: WilsonInterval
    /// Intra-class Frechet distance to held-out real data in the judge's features, its bootstrap
    /// 95% interval (percentiles), and the distance between two halves of the real data.
    public let frechetDistance: Double?, frechetInterval: [Double]?, realHalvesDistance: Double?
    /// Held-out real examples of the class.
    public let heldOutCount: Int
}

/// One run as `studio evaluate` sees it.
public struct EvaluatedRun: Sendable, Codable {
    /// The run folder, method, probed classifier, preset and unseen classes.
    public let run: String, method: String, classifier: String, preset: String, unseen: [String]
    /// The judge checkpoint that scored it (the run's own unless `--judge` replaced it).
    public let judge: String
    /// The selected iteration.
    public let selectedIteration: Int
    /// Which generator was sampled, and the iteration it holds (the selected one unless
    /// `studio evaluate --generator last`). Nil in reports written before the choice existed.
    public var generator: EvaluatedGenerator? = nil, generatorIteration: Int? = nil
    /// Per class rendered.
    public let classes: [EvaluatedClass]
    /// The Frechet distance of all rendered classes pooled against their pooled held-out data.
    public let overallFrechetDistance: Double?
    /// Judge-free measures of the same samples rendered to audio (audio runs; nil otherwise or
    /// when switched off). The same for every judge.
    public let acoustic: AcousticReport?
    /// The judge panel's verdict on the same samples (nil when switched off). The same for every judge.
    public let panel: PanelVerdict?
}

/// `studio evaluate`'s report: one table across runs, the audio counterpart of the paper's Table 1.
public struct RunComparisonReport: Sendable, Codable {
    /// The runs.
    public let runs: [EvaluatedRun]
    /// Per seeds folder given (`studio train --seeds`): every seed and the mean over seeds.
    public let seeds: [SeedSummary]
    /// What the numbers are and are not.
    public let notes: [String]
    /// The table as Markdown.
    public let markdown: String
}

/// `studio evaluate`: the judge's recognition rate (Wilson interval) and the judge-feature Frechet
/// distance (bootstrap interval) per class of every run, and a comparison table.
public enum RunComparison {
    /// Evaluates `runFolders`; `fallbackSource` is used for runs that did not record their data.
    /// `judges` (checkpoint paths) replace each run's recorded judge: every run is scored by every
    /// one of them, on the same samples, so their disagreement can be seen.
    public static func evaluate(
        runFolders: [String], samples: Int, bootstrap: Int, seed: UInt64, fallbackSource: ClassifierDataSource,
        cacheFolder: String, judges: [String] = [], acoustic: Bool = true, panel: Bool = true,
        panelEpochs: Int? = nil, generator: EvaluatedGenerator = .selected,
        log: @escaping @Sendable (String) -> Void = { _ in },
        progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> RunComparisonReport {
        var runs = [EvaluatedRun]()
        // Runs usually share their data: the held-out split is read (and measured, and the panel
        // trained) once per source.
        var loaded = [(source: ClassifierDataSource, test: ClassificationData, panel: [JudgePanel.Judge])]()
        var references = [(source: ClassifierDataSource, reference: AcousticEvaluation.Reference)]()
        // A seeds folder stands for its seed runs.
        var seedFolders = [(folder: String, seeds: [UInt64], runs: [String])]()
        var expanded = [String]()
        for path in runFolders {
            if SeedRuns.isSeedsFolder(path) {
                let (seeds, folders) = try SeedRuns.runs(in: path)
                seedFolders.append((path, seeds, folders))
                expanded += folders
            } else {
                expanded.append(path)
            }
        }
        for (index, path) in expanded.enumerated() {
            let source = try RunFolder(path).readResolvedConfiguration().dataSource ?? fallbackSource
            let test: ClassificationData
            var judgePanel = [JudgePanel.Judge]()
            if let known = loaded.first(where: { $0.source == source }) {
                (test, judgePanel) = (known.test, known.panel)
            } else {
                let data = try ClassifierPipelines.data(source, cacheFolder: cacheFolder)
                test = data.test
                if panel {
                    var audio = false
                    if case .audio = source { audio = true }
                    judgePanel = try JudgePanel.ensure(
                        data: data.train, audio: audio, dataName: source.dataName, cacheFolder: cacheFolder,
                        epochs: panelEpochs, log: log
                    ) { title, done, total in if done == total { log("  \(title) done") } }
                }
                loaded.append((source, test, judgePanel))
            }
            var reference: AcousticEvaluation.Reference?
            if acoustic, case .audio(let corpus) = source, try RunFolder(path).readRun().configuration.isSpectrogram {
                if let known = references.first(where: { $0.source == source }) {
                    reference = known.reference
                } else {
                    log("measuring the real clips of \(corpus) (pitch classifier, held-out and resynthesised clips)")
                    let made = try AcousticEvaluation.reference(corpusFolder: corpus, test: test) { done, total in
                        if done == total || done % 500 == 0 { log("  real clips: \(done)/\(total)") }
                    }
                    references.append((source, made))
                    reference = made
                }
            }
            runs += try evaluate(
                run: path, judgePaths: judges.isEmpty ? [nil] : judges.map(Optional.some), test: test,
                samples: samples, bootstrap: bootstrap, seed: seed, acoustic: reference, panel: judgePanel,
                generator: generator)
            progress(index + 1, expanded.count)
        }
        let notes =
            [
                "The judge is an independent classifier (another architecture and seed, trained on the same training "
                    + "split), never used for training, selection or stopping. It is not a human listener.",
                "Frechet distances compare generated samples with held-out real data (test speakers) in the judge's "
                    + "penultimate features (the audio counterpart of intra-FID); the real-halves distance is what two "
                    + "halves of the real data score.",
                "Intervals: Wilson 95% for recognition; bootstrap percentiles (\(bootstrap) resamples of both sets) for "
                    + "Frechet distances.",
                "ORACLE saw the unseen class's real data: an upper bound, not a probe.",
            ]
            + (generator == .last ? [lastGeneratorNote(runs)] : [])
            + (judges.count > 1
                ? [
                    "Several judges scored the same generated samples; their disagreement is part of the uncertainty "
                        + "of a judge-based measurement (two judges that agree on real data can disagree on generated data)."
                ] : [])
        let acousticNotes = runs.contains { $0.acoustic != nil } ? AcousticMarkdown.notes : []
        let panelNotes = runs.contains { $0.panel != nil } ? PanelMarkdown.notes : []
        // The first judge's evaluation of each run: every judge scores the same samples.
        let seedSummaries = seedFolders.map { entry in
            SeedSummary(
                folder: entry.folder, seeds: entry.seeds,
                runs: entry.runs.compactMap { run in runs.first { $0.run == run } })
        }
        return RunComparisonReport(
            runs: runs, seeds: seedSummaries, notes: notes + panelNotes + acousticNotes,
            markdown: markdown(runs, notes: notes) + seedSummaries.map(\.markdown).joined()
                + PanelMarkdown.tables(runs, notes: panelNotes) + AcousticMarkdown.tables(runs, notes: acousticNotes))
    }

    /// The note that says a report sampled each run's last checkpoint, with its iterations.
    static func lastGeneratorNote(_ runs: [EvaluatedRun]) -> String {
        let iterations = runs.map { run -> String in
            let name = URL(fileURLWithPath: run.run).lastPathComponent
            return "\(name) \(run.generatorIteration ?? 0)"
        }
        return "Generators: each run's last checkpoint (EMA), not the one its selection rule kept; a diagnostic of "
            + "what more training did, not the run's answer. Iterations: " + iterations.joined(separator: ", ") + "."
    }

    /// Scores one run by each of `judgePaths` (nil: the run's own judge). The generator's samples
    /// are drawn once and every judge scores the same ones.
    static func evaluate(
        run path: String, judgePaths: [String?], test: ClassificationData, samples: Int, bootstrap: Int, seed: UInt64,
        acoustic reference: AcousticEvaluation.Reference? = nil, panel: [JudgePanel.Judge] = [],
        generator choice: EvaluatedGenerator = .selected
    ) throws -> [EvaluatedRun] {
        let folder = RunFolder(path)
        let resolved = try folder.readResolvedConfiguration()
        let (configuration, selected) = try folder.readRun()
        guard test.classNames == configuration.classNames else {
            throw RunError.classifierMismatch(
                reason: "\(path) was trained on classes \(configuration.classNames), the data has \(test.classNames); "
                    + "pass the run's data with --data")
        }
        if let recorded = resolved.representation, let now = test.representation, recorded != now {
            throw EvaluationPipelineError.dataMismatch(run: path, recorded: recorded, data: now)
        }
        // Every judge is loaded and checked before any sample is drawn, so a wrong one fails fast.
        let judges = try judgePaths.map { judgePath -> (path: String, model: any ImageClassifier) in
            let judgePath = judgePath ?? resolved.judgePath
            let (judge, judgeSummary) = try ClassifierPipelines.load(checkpoint: judgePath)
            guard judgeSummary.inputShape == configuration.inputShape else {
                throw EvaluationPipelineError.judgeMismatch(
                    judge: judgePath,
                    reason: "it reads inputs of shape \(judgeSummary.inputShape), the run \(path) generates "
                        + "\(configuration.inputShape) (another modality or frontend)")
            }
            guard judgeSummary.classNames == configuration.classNames else {
                throw EvaluationPipelineError.judgeMismatch(
                    judge: judgePath,
                    reason:
                        "it knows classes \(judgeSummary.classNames), the run \(path) has \(configuration.classNames)")
            }
            if let conflict = judgeSummary.representationConflict(with: resolved.representation) {
                throw EvaluationPipelineError.judgeMismatch(
                    judge: judgePath, reason: "\(conflict) (the run \(path), configuration.json)")
            }
            judge.detachParameters()
            return (judgePath, judge)
        }
        let (generator, generatorIteration) = try folder.loadGenerator(choice, configuration: configuration)
        let evaluation = URL(fileURLWithPath: path).appendingPathComponent(choice.evaluationSubfolder)
        let drawn = configuration.finalClasses.map { label in
            (
                label,
                GeneratorSampling.samples(
                    generator, label: label, count: samples, seed: seed &+ 0xE7A1 &+ UInt64(label))
            )
        }
        var acoustic: AcousticReport?
        if let reference {
            var report = try AcousticEvaluation.report(
                generated: drawn, unseen: configuration.unseen, reference: reference, seed: seed, progress: { _, _ in })
            report.f0Picture = try AcousticPictures.write(report, folder: evaluation.path)
            acoustic = report
        }
        let verdict =
            panel.isEmpty ? nil : PanelVerdict.score(drawn, unseen: configuration.unseen, panel: panel, test: test)
        if let verdict {
            try FileManager.default.createDirectory(at: evaluation, withIntermediateDirectories: true)
            try AtomicFile.write(try RunFolder.json(verdict), to: evaluation.appendingPathComponent("panel.json").path)
        }
        return try judges.map { judge in
            let scored = try score(
                drawn, judge: judge.model, configuration: configuration, test: test, bootstrap: bootstrap, seed: seed)
            return EvaluatedRun(
                run: path, method: configuration.method.rawValue, classifier: resolved.classifier,
                preset: configuration.preset.rawValue,
                unseen: configuration.unseen.map { configuration.classNames[$0] },
                judge: judge.path, selectedIteration: selected, generator: choice,
                generatorIteration: generatorIteration, classes: scored.classes,
                overallFrechetDistance: scored.overallFrechetDistance, acoustic: acoustic, panel: verdict)
        }
    }

    /// One judge's scores of a run's drawn samples (label, images) against the held-out data.
    static func score(
        _ drawn: [(label: Int, images: Tensor)], judge: any ImageClassifier, configuration: ProbeGANConfiguration,
        test: ClassificationData, bootstrap: Int, seed: UInt64
    ) throws -> (classes: [EvaluatedClass], overallFrechetDistance: Double?) {
        var random = SplitMix64(seed: seed)
        var classes = [EvaluatedClass]()
        var pooledGenerated = [Float]()
        var pooledReal = [Float]()
        var width = 0
        for (label, images) in drawn {
            let samples = images.shape[0]
            let recognised = Int(
                (SelectionScore.share(judge.logits(images), label: label) * Float(samples)).rounded())
            let generated = RunEvaluation.features(judge, images)
            width = judge.features(images.slice(axis: 0, 0..<1)).shape[1]
            let realIndices = (0..<test.count).filter { test.labels[$0] == label }
            var distance: Double?
            var interval: [Double]?
            var halves: Double?
            if realIndices.count >= 2 {
                let real = RunEvaluation.features(judge, test.batch(realIndices).0)
                pooledGenerated += generated
                pooledReal += real
                distance = try FrechetDistance.distance(generated, real, width: width)
                if bootstrap > 0 {
                    interval = try Bootstrap.percentileInterval(
                        generated, real, width: width, resamples: bootstrap, using: &random
                    ) { try FrechetDistance.distance($0, $1, width: width) }
                }
                if realIndices.count >= 8 {
                    halves = try RunEvaluation.realHalvesDistance(real, width: width, seed: seed &+ UInt64(label))
                }
            }
            classes.append(
                EvaluatedClass(
                    name: configuration.classNames[label], unseen: configuration.unseen.contains(label),
                    samples: samples,
                    judgeRecognition: WilsonInterval(successes: recognised, trials: samples), frechetDistance: distance,
                    frechetInterval: interval, realHalvesDistance: halves, heldOutCount: realIndices.count))
        }
        let overall = pooledReal.isEmpty ? nil : try FrechetDistance.distance(pooledGenerated, pooledReal, width: width)
        return (classes, overall)
    }

    static func markdown(_ runs: [EvaluatedRun], notes: [String]) -> String {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
        func name(_ path: String) -> String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
        // A judge column only when the runs were not all scored by one judge.
        let judged = Set(runs.map(\.judge)).count > 1
        var lines = [
            "# Runs compared by the independent judge", "",
            "| run | method | classifier | " + (judged ? "judge | " : "")
                + "class | judge recognition (95% CI) | Frechet distance (95% CI) | real halves |",
            "|---|---|---|" + (judged ? "---|" : "") + "---|---|---|---|",
        ]
        for run in runs {
            for item in run.classes {
                let r = item.judgeRecognition
                let fd = item.frechetDistance.map { String(format: "%.2f", $0) } ?? "-"
                let ci = item.frechetInterval.map { String(format: " (%.2f-%.2f)", $0[0], $0[1]) } ?? ""
                lines.append(
                    "| \(URL(fileURLWithPath: run.run).lastPathComponent) | \(run.method)"
                        + (run.method == "oracle" ? " (saw the class)" : "") + " | \(run.classifier) | "
                        + (judged ? name(run.judge) + " | " : "") + item.name
                        + (item.unseen ? " (unseen)" : "")
                        + " | \(percent(r.rate)) (\(percent(r.lower))-\(percent(r.upper)))"
                        + " | \(fd)\(ci) | " + (item.realHalvesDistance.map { String(format: "%.2f", $0) } ?? "-")
                        + " |")
            }
        }
        return (lines + [""] + notes.map { "- " + $0 }).joined(separator: "\n") + "\n"
    }
}
