import Foundation
import ProbeGAN
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioEvaluation
import StudioPipelines

/// What the marker and spurious experiments share: running the arms (one after another, or
/// several at once with `--jobs`), an interim report after each (so a long experiment shows its
/// first results early), the notes on how to read it, and the pictures and clips that go with it.
enum ExperimentRunner {
    /// The parts of a report that are known before any arm runs.
    struct Frame {
        /// `marker` or `spurious`, and the question it answers.
        var experiment: String, question: String
        /// The planted feature, and how the detector's statistic reads.
        var feature: PlantedFeature, detectorDescription: String
        /// True when one arm breaks the absence constraint on purpose (ORACLE).
        var hasViolationArm: Bool
        /// The variant data whose real target examples carry the feature, and their label in pictures.
        var featured: VariantData, featureLabel: String
        /// Its classifiers and arms as its plan names them.
        var layout: ExperimentLayout
    }

    /// Runs (or keeps) every arm, training each probed classifier in `classifiers` when the first
    /// arm that probes it starts; after each arm, writes the report of everything measured so far.
    /// Returns the final report. With `unit` (from `unit(of:experiment:layout:details:)`), runs that
    /// unit of the plan alone, records that it finished and returns nil.
    static func run(
        _ arms: [ExperimentArm], classifiers: [ProbedClassifier], frame: Frame, settings: ExperimentSettings,
        judgePath: String,
        detector: (detector: MarkerDetector, realRows: [DetectionRow]),
        clean: (train: ClassificationData, test: ClassificationData), unit: PlanUnit? = nil,
        hooks: TrainingHooks,
        findings: (ExperimentReport) -> [String]
    ) throws -> ExperimentReport? {
        // A plan is made from the layout alone, before the arms exist: they must be the ones it names.
        precondition(
            arms.map(\.name) == frame.layout.arms.map(\.name)
                && classifiers.count == frame.layout.classifiers.count
                && zip(arms, frame.layout.arms).allSatisfy { $0.classifierPath == classifiers[$1.classifier].path },
            "the \(frame.experiment) experiment's arms differ from its layout")
        let arms = replicated(arms, settings)
        if let unit {
            try run(unit, arms: arms, classifiers: classifiers, settings: settings, judgePath: judgePath, hooks: hooks)
            try UnitPlan.markDone(unit, in: settings.outputFolder)
            hooks.log("unit \(unit.index) (\(unit.name)) finished")
            return nil
        }
        var report: ExperimentReport?
        try runArms(
            arms, classifiers: classifiers, settings: settings, judgePath: judgePath, detector: detector.detector,
            hooks: hooks
        ) { records, generatedRows, generatedTarget in
            var interim = ExperimentReport(
                experiment: frame.experiment, question: frame.question, target: settings.target,
                feature: frame.feature.description, detector: detector.detector,
                detectorDescription: frame.detectorDescription, classifiers: classifiers.compactMap(\.check),
                arms: records,
                rows: generatedRows + detector.realRows, findings: [],
                notes: notes(
                    settings, detector: detector.detector, violation: frame.hasViolationArm,
                    pending: arms.filter { arm in !records.contains { $0.arm.name == arm.name } }),
                settings: settings)
            interim.findings = findings(interim)
            try writeOutputs(
                interim, settings: settings, generatedTarget: generatedTarget, featured: frame.featured, clean: clean,
                featureLabel: frame.featureLabel, hooks: hooks)
            report = interim
        }
        guard let report else { throw ExperimentError.badSetting(name: "arms", reason: "an experiment needs an arm") }
        return report
    }

    /// The plan the settings make for an experiment laid out as `layout` (`details`: its own settings as JSON text).
    static func plan(
        _ settings: ExperimentSettings, experiment: String, layout: ExperimentLayout, details: String
    ) throws -> UnitPlan {
        UnitPlan(
            experiment: experiment, layout: layout, settings: settings,
            inputs: try settings.recordText(details: details))
    }

    /// Claims the folder (as a run would) and writes the experiment's plan there; trains nothing.
    static func writePlan(
        _ settings: ExperimentSettings, experiment: String, layout: ExperimentLayout, details: String
    ) throws -> UnitPlan {
        guard settings.unit == nil, !settings.isLastGeneratorDiagnostic else {
            throw ExperimentError.badSetting(
                name: "--plan", reason: "lists the units of the experiment itself; drop --unit and --generator last")
        }
        try settings.claimFolder(details: details)
        let plan = try plan(settings, experiment: experiment, layout: layout, details: details)
        try plan.write(to: settings.outputFolder)
        return plan
    }

    /// The unit `settings.unit` of the folder's plan, checked against the plan these settings make
    /// (nil without `--unit`). Called before anything is prepared, so that a unit whose inputs are
    /// not ready stops before it writes anything.
    static func unit(
        of settings: ExperimentSettings, experiment: String, layout: ExperimentLayout, details: String
    ) throws -> PlanUnit? {
        guard let index = settings.unit else { return nil }
        guard !settings.isLastGeneratorDiagnostic else {
            throw ExperimentError.badSetting(
                name: "--unit", reason: "runs one unit of the experiment's training; --generator last trains nothing")
        }
        return try UnitPlan.unit(
            index, folder: settings.outputFolder,
            expected: try plan(settings, experiment: experiment, layout: layout, details: details))
    }

    /// One unit: the prepare unit has nothing left to do (its caller prepared the shared inputs),
    /// a classifier unit trains (or reads) one probed classifier and checks it, an arm unit trains
    /// one arm with its classifier, which its classifier unit made.
    static func run(
        _ unit: PlanUnit, arms: [ExperimentArm], classifiers: [ProbedClassifier], settings: ExperimentSettings,
        judgePath: String, hooks: TrainingHooks
    ) throws {
        let file = UnitPlan.file(in: settings.outputFolder)
        switch unit.kind {
        case .prepare:
            return
        case .classifier:
            guard classifiers.indices.contains(unit.index - 1) else {
                throw UnitPlanError.planChanged(file: file, reason: "it names a classifier the experiment lacks")
            }
            _ = try classifiers[unit.index - 1].ensure(hooks: hooks)
        case .run:
            guard let arm = arms.first(where: { $0.name == unit.name }), let needed = unit.after.first,
                classifiers.indices.contains(needed - 1), classifiers[needed - 1].path == arm.classifierPath
            else {
                throw UnitPlanError.planChanged(file: file, reason: "its unit '\(unit.name)' is not an arm of it")
            }
            _ = try classifiers[needed - 1].ensure(hooks: hooks)
            _ = try arm.run(settings, judgePath: judgePath, hooks: hooks)
        }
    }

    /// `arms`, then each replicate round of all of them (GAN seeds `firstGANSeed + 1`, `+ 2`, ...), so
    /// the first comparison is complete before any replicate starts.
    static func replicated(_ arms: [ExperimentArm], _ settings: ExperimentSettings) -> [ExperimentArm] {
        arms
            + (1..<max(settings.replicateCount, 1)).flatMap { round in
                arms.map { $0.replicate(seed: settings.firstGANSeed &+ UInt64(round)) }
            }
    }

    /// How far the mean detector statistic of `arm`'s generated target examples lies from
    /// `baseline`'s, with Welch's 95% interval, and that shift as a share of the real examples'
    /// (with the feature minus clean, `featureSource`): a shift the threshold may hide.
    static func meanShiftFinding(_ report: ExperimentReport, arm: String, baseline: String, featureSource: String)
        -> String?
    {
        let target = report.target
        guard let shifted = report.row(arm, target)?.statistics,
            let base = report.row(baseline, target)?.statistics,
            let shift = MeanDifference(shifted, base)
        else { return nil }
        let towardFeature = (shift.difference > 0) == report.detector.markerRaises
        let verdict =
            shift.excludesZero
            ? "the \(arm) arm's \(target) lie \(towardFeature ? "nearer" : "farther from") the feature; the "
                + "interval excludes 0" : "the interval includes 0"
        var line = String(
            format:
                "Mean detector statistic of generated %@, %@ arm minus %@ arm: %+.3f (95%% interval %+.3f to %+.3f)",
            target, arm, baseline, shift.difference, shift.lower, shift.upper)
        if let featured = report.row(featureSource, target),
            let clean = report.row(ExperimentSteps.cleanRealSource, target)
        {
            let realShift = Double(featured.meanStatistic - clean.meanStatistic)
            if realShift != 0 {
                line += String(
                    format: ", %.0f%% of the shift the feature makes in real %@ (%+.3f)",
                    100 * shift.difference / realShift,
                    target, realShift)
            }
        }
        // The same comparison for the seen classes: how far two arms drift apart where no feature
        // was planted, the scale of run-to-run variation that one seed per arm cannot average out.
        let seen = report.rows.filter { $0.source == arm && $0.className != target }.compactMap {
            row -> String? in
            guard let values = row.statistics, let other = report.row(baseline, row.className)?.statistics,
                let difference = MeanDifference(values, other)
            else { return nil }
            return String(format: "%@ %+.3f", row.className, difference.difference)
        }
        let context = seen.isEmpty ? "" : " (seen classes, same arms: " + seen.joined(separator: ", ") + ")"
        return line + ": " + verdict + context + "."
    }

    /// The closing finding of both experiments: the detector's power and false-positive rate on
    /// real held-out examples (`featureSource` rows carry the feature, `withFeature` names it).
    static func detectorFinding(_ report: ExperimentReport, featureSource: String, withFeature: String) -> String {
        let noun = report.settings.isImage ? "pictures" : "clips"
        let power = report.row(featureSource, report.target).map { ExperimentReportWriter.percent($0.detection) }
        return "Detector on real held-out \(noun): \(power ?? "-") of \(report.target) \(noun) \(withFeature) "
            + "detected; clean: "
            + report.rows.filter { $0.source == ExperimentSteps.cleanRealSource }.map {
                "\($0.className) \(ExperimentReportWriter.percent($0.detection))"
            }.joined(separator: ", ") + "."
    }

    /// Trains (or keeps) every arm and measures its generated examples, `settings.jobCount` arms
    /// at a time. After each arm, `afterEach` gets everything measured so far, in the arms' order
    /// (an interim report is written as soon as one arm is done).
    static func runArms(
        _ arms: [ExperimentArm], classifiers: [ProbedClassifier], settings: ExperimentSettings, judgePath: String,
        detector: MarkerDetector, hooks: TrainingHooks,
        afterEach: ([ExperimentReport.ArmRecord], [DetectionRow], [(name: String, images: [Float])]) throws -> Void
    ) throws {
        typealias Outcome = (
            record: ExperimentReport.ArmRecord, rows: [DetectionRow], target: (name: String, images: [Float])?
        )
        var outcomes = [Outcome?](repeating: nil, count: arms.count)
        let workers = ArmWorkers(jobs: settings.jobCount, arms: arms.count)
        if workers.workers > 1, !settings.isLastGeneratorDiagnostic {
            hooks.log(
                "training \(workers.workers) arms at once, \(workers.threadsPerWorker) engine thread(s) each "
                    + "(--jobs \(settings.jobCount)); progress comes as lines per arm")
        }
        try workers.run(names: arms.map(\.name), hooks: hooks) { index, hooks -> Outcome in
            let arm = arms[index]
            _ = try classifiers.first { $0.path == arm.classifierPath }?.ensure(hooks: hooks)
            let summary = try arm.run(settings, judgePath: judgePath, hooks: hooks)
            let rendered = try arm.render(settings, judgePath: judgePath)
            let names = rendered.classNames
            var record = ExperimentReport.ArmRecord(
                arm: arm, iterations: summary.iterations, selectedIteration: summary.selectedIteration,
                trainingSeconds: summary.trainingSeconds)
            if settings.isLastGeneratorDiagnostic { record.measuredIteration = rendered.iteration }
            var rows = [DetectionRow]()
            var target: (name: String, images: [Float])?
            for (label, images) in rendered.samples {
                let (rate, mean, values) = detector.detectionRate(
                    images.scalars, height: images.shape[2], width: images.shape[3])
                let recognition =
                    rendered.judgeRecognition.map { $0[label] } ?? summary.classes[names[label]]?.judgeRecognition
                rows.append(
                    DetectionRow(
                        source: arm.name, className: names[label], detection: rate, meanStatistic: mean,
                        judgeRecognition: recognition, statistics: values))
                if names[label] == settings.target { target = (arm.name, images.scalars) }
            }
            return (record, rows, target)
        } finished: { index, outcome in
            outcomes[index] = outcome
            let done = outcomes.compactMap { $0 }
            try afterEach(done.map(\.record), done.flatMap(\.rows), done.compactMap(\.target))
        } merge: { failures in
            // Ctrl-C stops every arm in training: name them all, in the arms' order. Any other
            // error is the culprit; the arms it stopped wrote their checkpoints.
            guard case ExperimentError.interrupted(_, let folder)? = failures[0].error as? ExperimentError else {
                return failures[0].error
            }
            let stopped = failures.sorted { $0.index < $1.index }.flatMap { failure -> [ExperimentError.StoppedArm] in
                guard case ExperimentError.interrupted(let arms, _)? = failure.error as? ExperimentError else {
                    return []
                }
                return arms
            }
            return ExperimentError.interrupted(arms: stopped, folder: folder)
        }
    }

    static func notes(
        _ settings: ExperimentSettings, detector: MarkerDetector, violation: Bool, pending: [ExperimentArm]
    ) -> [String] {
        let noun = settings.isImage ? "pictures" : "clips"
        let percentile = String(format: "%.0f", 100 * (1 - detector.falsePositiveRate))
        let calibration =
            detector.usesMarkedTail
            ? "halfway between the \(percentile)th percentile of its statistic on \(detector.calibrationCount) clean "
                + "real training \(noun) of every class and the other tail's percentile on "
                + "\(detector.markedCalibrationCount) real training \(noun) with the feature"
            : "the \(percentile)th percentile of its statistic on \(detector.calibrationCount) clean real training "
                + "\(noun) of every class"
                + (detector.markedCalibrationCount > 0
                    ? " (the \(detector.markedCalibrationCount) real training \(noun) with the feature overlap that tail, "
                        + "so they do not move it)" : "")
        let firstSeed = settings.firstGANSeed
        let lastSeed = firstSeed &+ UInt64(settings.replicateCount - 1)
        var lines = [
            "The detector's threshold is \(calibration); the held-out rows show its power and false-positive rate "
                + "on real \(noun).",
            "Every arm: ProbeGAN's quick preset for \(settings.iterations) iterations, seed \(settings.seed)"
                + (firstSeed != settings.seed ? " (GAN seed \(firstSeed))" : "")
                + (settings.replicateCount > 1
                    ? " (replicates NAME-seedK: GAN seeds \(firstSeed &+ 1) to \(lastSeed)); every finding that does not say "
                        + "'over N training runs' describes the GAN-seed-\(firstSeed) arms only)" : "") + ", "
                + "classifier loss weight \(settings.classifierWeight.map { "\($0)" } ?? "2 (the preset's)"), the "
                + "leak-free selection rule; \(settings.samples) generated \(noun) per class from the "
                + (settings.isLastGeneratorDiagnostic ? "last" : "selected")
                + " generator. The judge (the clean data's) is never used for training or selection.",
            settings.replicateCount > 1
                ? "Intervals are Wilson 95% intervals over \(noun) (detection rates) and Welch 95% intervals (mean "
                    + "shifts) within one training run; each arm was trained \(settings.replicateCount) times (GAN seeds "
                    + "\(firstSeed) to \(lastSeed); rows NAME-seedK), and "
                    + "the 'over N training runs' findings give Student-t 95% intervals over runs, which cover the "
                    + "variation between training runs (the probed classifiers are the same in every run)."
                : "Intervals are Wilson 95% intervals over \(noun) (detection rates) and Welch 95% intervals (mean "
                    + "shifts); both cover the sampling of \(noun) from one trained generator, not the variation "
                    + "between training runs (one seed per arm; --replicates N trains each arm N times).",
        ]
        if !pending.isEmpty {
            lines.insert(
                "Interim report: the arm(s) " + pending.map(\.name).joined(separator: ", ")
                    + " have not run yet; rerun the same command to continue.", at: 0)
        }
        if settings.isLastGeneratorDiagnostic {
            lines.insert(
                "DIAGNOSTIC, not the experiment's result: every arm is measured at its last generator (the EMA "
                    + "generator of checkpoints/last.safetensors, its batch-norm statistics recomputed as for the "
                    + "selected one; the arms table gives its iteration), not at the generator the leak-free "
                    + "selection rule kept. It tells whether a result comes from where the feature sits or from "
                    + "which generator was kept. The result is report.md. Choosing generators by these numbers "
                    + "would bring the target class into model selection.", at: 0)
        }
        if violation {
            // After the calibration and the arms' recipe, before the intervals.
            lines.insert(
                "The violation arm is ORACLE: it saw the target class's (marked) \(noun). It is not a probe; it "
                    + "shows why the target class must be absent from the GAN's data.", at: lines.count - 1)
        }
        return lines
    }

    /// Grid, statistic distributions, and every arm's target class as WAVs (audio) or PNGs, with
    /// real examples that carry the feature.
    static func writeOutputs(
        _ report: ExperimentReport, settings: ExperimentSettings, generatedTarget: [(name: String, images: [Float])],
        featured: VariantData, clean: (train: ClassificationData, test: ClassificationData), featureLabel: String,
        hooks: TrainingHooks
    ) throws {
        let data = clean.test
        let size = data.exampleSize
        func tiles(_ values: [Float]) -> [[Float]] {
            (0..<min(10, values.count / size)).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
        }
        let realFeature = ExperimentSteps.targetSubset(featured.test, settings.target)
        let realClean = ExperimentSteps.targetSubset(data, settings.target)
        let gridRows =
            [
                (label: featureLabel, tiles: tiles(realFeature.inputs)),
                (label: "real, clean", tiles: tiles(realClean.inputs)),
            ] + generatedTarget.map { (label: "generated: \($0.name)", tiles: tiles($0.images)) }
        let statistic = report.detector.statistic
        func values(_ images: [Float]) -> [Float] { statistic.values(images, height: data.height, width: data.width) }
        let statistics =
            [
                (name: "real clean (all classes)", values: values(data.inputs)),
                (name: featureLabel, values: values(realFeature.inputs)),
            ] + generatedTarget.map { (name: "generated \($0.name)", values: values($0.images)) }
        let outputs = settings.isImage ? "samples" : "listen"
        // The renders come from the selected generators; the diagnostic leaves them as they are.
        for arm in report.arms where !settings.isLastGeneratorDiagnostic {
            let run = RunFolder(settings.path("runs/\(arm.arm.name)"))
            let output = settings.path("\(outputs)/\(arm.arm.name)")
            // Each arm's files are rendered once, when it finishes; a retrained arm's generator is newer.
            let grid = URL(fileURLWithPath: output).appendingPathComponent("\(settings.target)-grid.png").path
            if let rendered = modificationDate(grid), let trained = modificationDate(run.bestGenerator),
                rendered > trained
            {
                continue
            }
            _ = try RenderPipeline.render(
                runFolder: run.path, className: settings.target, count: settings.listenCount, outputFolder: output,
                seed: settings.seed &+ 1)
        }
        var listen = [(name: String, files: [String])]()
        if !settings.isImage, !settings.isLastGeneratorDiagnostic {
            let corpus = try Corpus.load(folder: featured.folder)
            let items = corpus.items(in: .test).filter { $0.className == settings.target }.prefix(settings.listenCount)
            listen.append(
                (
                    featureLabel.replacingOccurrences(of: ", ", with: "-").replacingOccurrences(of: " ", with: "-"),
                    items.map(\.path)
                ))
        }
        try ExperimentReportWriter.write(
            report, settings: settings, shape: (data.channels, data.height, data.width), gridRows: gridRows,
            statistics: statistics, listenSources: listen)
        hooks.log(
            "wrote \(settings.path(settings.outputName("report", extension: "md"))) (and "
                + [("report", "json"), ("grid", "png"), ("statistic", "png")].map {
                    settings.outputName($0.0, extension: $0.1)
                }.joined(separator: ", ")
                + (settings.isLastGeneratorDiagnostic ? ")" : ", \(outputs)/)"))
    }
}

/// When the file at `path` was last written (nil: it does not exist).
func modificationDate(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
}
