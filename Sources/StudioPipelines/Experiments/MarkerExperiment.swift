import Foundation
import ProbeGAN
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioEvaluation

/// The planted marker of `studio experiment marker`: a tone added to the target class's clips.
public struct MarkerSettings: Sendable, Codable, Equatable {
    /// Tone frequency (Hz), peak amplitude (full scale 1), start and duration (seconds; nil: to the end).
    public var frequency = 4000.0, amplitude: Float = 0.05, start = 0.0, duration: Double? = nil
    /// Share of clean real clips the detector may call marked (its threshold's calibration).
    public var falsePositiveRate = 0.01

    /// The defaults: a 4 kHz tone at -26 dBFS through the whole clip, detector at 1% false positives.
    public init() {}

    /// The effect.
    public var effect: AudioEffect {
        .tone(frequency: frequency, amplitude: amplitude, start: start, duration: duration)
    }
}

/// `studio experiment marker`: does ProbeGAN read a classifier's memory? (The paper's Appendix
/// B.1 and section 4.3, for audio.)
///
/// Three arms, the same GAN budget each, the target class unseen by the GAN unless stated:
/// `memory`, a classifier trained with a marker on every target clip, the GAN's data marker-free;
/// `clean`, a classifier trained on clean data, the same GAN data; `violation`, the clean classifier
/// but the GAN trains on every class including the marked target clips (ORACLE: the absence
/// constraint broken on purpose). A marker found in `memory`'s generated target clips can only
/// have come from the classifier.
public enum MarkerExperiment {
    /// Runs (or resumes) the experiment and writes its report.
    public static func run(_ settings: ExperimentSettings, marker: MarkerSettings, hooks: TrainingHooks) throws
        -> ExperimentReport
    {
        try settings.claimFolder(details: String(decoding: try RunFolder.json(marker), as: UTF8.self))
        let target = settings.target
        let variant = CorpusVariant(
            name: "marked-\(target)",
            purpose: "Every \(target) clip (train and test) carries \(marker.effect); other classes are unchanged.",
            rules: [CorpusVariantRule(className: target, effect: marker.effect)], seed: settings.seed)
        let markedCorpus = try ExperimentSteps.variant(variant, settings, hooks: hooks)
        let clean = try ExperimentSteps.data(settings.corpus, settings, hooks: hooks)
        let marked = try ExperimentSteps.data(markedCorpus, settings, hooks: hooks)
        let detector = try MarkerDetector(
            statistic: try ExperimentSteps.toneStatistic(frequency: marker.frequency, duration: marker.duration),
            markerRaises: true, clean: clean.train.inputs, height: clean.train.height, width: clean.train.width,
            falsePositiveRate: marker.falsePositiveRate)

        ExperimentSteps.logDetector(
            detector, cleanTest: clean.test, featureTest: marked.test, target: target, hooks: hooks)
        let judgePath = try ExperimentSteps.judge(clean.train, settings, hooks: hooks)
        let cleanClassifier = try ExperimentSteps.classifier(clean.train, name: nil, settings, hooks: hooks)
        let markedClassifier = try ExperimentSteps.classifier(
            marked.train, name: "marked-\(target)", settings, hooks: hooks)
        let kind = settings.classifierKind.rawValue
        let arms = [
            ExperimentArm(
                name: "memory",
                title: "\(kind) classifier trained with the marker on every \(target) clip; GAN data "
                    + "without \(target) and without any marker",
                ganCorpus: settings.corpus, method: .probegan, classifierPath: markedClassifier.path,
                absenceViolated: false),
            ExperimentArm(
                name: "clean", title: "\(kind) classifier trained on clean clips; the same GAN data",
                ganCorpus: settings.corpus, method: .probegan, classifierPath: cleanClassifier.path,
                absenceViolated: false),
            ExperimentArm(
                name: "violation",
                title: "the clean classifier; the GAN trains on every class including the marked "
                    + "\(target) clips (ORACLE)",
                ganCorpus: markedCorpus, method: .oracle, classifierPath: cleanClassifier.path, absenceViolated: true),
        ]
        var records = [ExperimentReport.ArmRecord]()
        var rows = [DetectionRow]()
        var generatedTarget = [(name: String, images: [Float])]()
        for arm in arms {
            let summary = try arm.run(settings, judgePath: judgePath, hooks: hooks)
            records.append(
                ExperimentReport.ArmRecord(
                    arm: arm, iterations: summary.iterations, selectedIteration: summary.selectedIteration,
                    trainingSeconds: summary.trainingSeconds))
            rows += try arm.detectionRows(settings, detector: detector, summary: summary)
            generatedTarget.append((arm.name, try targetSamples(arm, settings)))
        }
        let markedTarget = targetSubset(marked.test, target)
        rows += RealDetection.rows(clean.test, source: "real held-out, clean", detector: detector)
        rows += RealDetection.rows(marked.test, source: "real held-out, marked", detector: detector, classes: [target])
        let checks = [
            try RealDetection.check(
                name: "marked", path: markedClassifier.path, trainedOn: markedCorpus, model: markedClassifier.model,
                cleanTest: clean.test, featureTest: marked.test, target: target),
            try RealDetection.check(
                name: "clean", path: cleanClassifier.path, trainedOn: settings.corpus, model: cleanClassifier.model,
                cleanTest: clean.test, featureTest: marked.test, target: target),
        ]
        var report = ExperimentReport(
            experiment: "marker",
            question: "Does ProbeGAN render what the probed classifier memorised about a class the GAN never saw? "
                + "A marker planted only in the classifier's training data can reach the generated clips only "
                + "through the classifier.",
            target: target, feature: marker.effect.description, detector: detector,
            detectorDescription: "mean log-mel level of the bands the tone falls in minus bands 3-5 away, "
                + String(format: "threshold %.3f", detector.threshold),
            classifiers: checks, arms: records, rows: rows, findings: [],
            notes: notes(settings, detector: detector), settings: settings)
        report.findings = findings(report)
        try writeOutputs(
            report, settings: settings, generatedTarget: generatedTarget, realFeature: markedTarget,
            realClean: targetSubset(clean.test, target), cleanAll: clean.test, featureLabel: "real, marked",
            featureCorpus: markedCorpus, hooks: hooks)
        return report
    }

    static func notes(_ settings: ExperimentSettings, detector: MarkerDetector) -> [String] {
        [
            "The detector's threshold is the \(String(format: "%.0f", 100 * (1 - detector.falsePositiveRate)))th "
                + "percentile of its statistic on \(detector.calibrationCount) clean real training clips of every "
                + "class; the held-out rows show its false-positive rate and power on real clips.",
            "Every arm: ProbeGAN's quick preset for \(settings.iterations) iterations, seed \(settings.seed), the "
                + "leak-free selection rule; \(settings.samples) generated clips per class from the selected "
                + "generator. The judge (the clean corpus's) is never used for training or selection.",
            "The violation arm is ORACLE: it saw the target class's (marked) clips. It is not a probe; it shows "
                + "why the target class must be absent from the GAN's data.",
            "Intervals are Wilson 95% intervals over clips; one seed per arm.",
        ]
    }

    static func findings(_ report: ExperimentReport) -> [String] {
        let target = report.target
        let rate = { (source: String) in
            report.row(source, target).map { ExperimentReportWriter.percent($0.detection) } ?? "-"
        }
        var lines = [String]()
        if let memory = report.row("memory", target), let clean = report.row("clean", target) {
            let met = memory.detection.rate >= 0.8 && clean.detection.rate <= 0.1
            lines.append(
                "Classifier memory: the marker is in \(rate("memory")) of generated \(target) clips when the probed "
                    + "classifier learned it, and in \(rate("clean")) with the clean classifier; the GAN saw no "
                    + "marker and no \(target) clip in either arm. Criterion (>= 80% and <= 10%): "
                    + (met ? "met." : "not met."))
            let seen = report.rows.filter { $0.source == "memory" && $0.className != target }
            if !seen.isEmpty {
                lines.append(
                    "Seen classes of the memory arm carry it in "
                        + seen.map { "\($0.className) \(ExperimentReportWriter.percent($0.detection))" }.joined(
                            separator: ", ") + ".")
            }
        }
        if report.row("violation", target) != nil {
            lines.append(
                "Absence violated: with the clean classifier and marked \(target) clips in the GAN's data, the marker "
                    + "is in \(rate("violation")) of generated \(target) clips, though that classifier never heard it.")
        }
        if let check = report.classifiers.first(where: { $0.name == "marked" }) {
            lines.append(
                String(
                    format: "The marked classifier recognises %.1f%% of held-out %@ clips with the marker and %.1f%% "
                        + "without it: it leans on the marker.", 100 * check.targetAccuracyWithFeature, target,
                    100 * check.targetAccuracyClean))
        }
        lines.append(
            "Detector on real held-out clips: \(rate("real held-out, marked")) of marked \(target) clips detected; "
                + "clean clips: "
                + report.rows.filter { $0.source == "real held-out, clean" }.map {
                    "\($0.className) \(ExperimentReportWriter.percent($0.detection))"
                }.joined(separator: ", ") + ".")
        return lines
    }

    static func targetSubset(_ data: ClassificationData, _ target: String) -> ClassificationData {
        let label = data.classNames.firstIndex(of: target) ?? -1
        return data.subset((0..<data.count).filter { data.labels[$0] == label })
    }

    static func targetSamples(_ arm: ExperimentArm, _ settings: ExperimentSettings) throws -> [Float] {
        let names = try RunFolder(settings.path("runs/\(arm.name)")).readRun().configuration.classNames
        let label = names.firstIndex(of: settings.target) ?? -1
        return try arm.samples(settings).first { $0.label == label }?.images.scalars ?? []
    }

    /// Grid, statistic distributions, WAVs of every arm's target class and of real clips with the feature.
    static func writeOutputs(
        _ report: ExperimentReport, settings: ExperimentSettings, generatedTarget: [(name: String, images: [Float])],
        realFeature: ClassificationData, realClean: ClassificationData, cleanAll: ClassificationData,
        featureLabel: String, featureCorpus: String, hooks: TrainingHooks
    ) throws {
        let size = 64 * 64
        func tiles(_ values: [Float]) -> [[Float]] {
            (0..<min(10, values.count / size)).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
        }
        let gridRows =
            [
                (label: featureLabel, tiles: tiles(realFeature.inputs)),
                (label: "real, clean", tiles: tiles(realClean.inputs)),
            ]
            + generatedTarget.map { (label: "generated: \($0.name)", tiles: tiles($0.images)) }
        let statistic = report.detector.statistic
        let statistics =
            [
                (name: "real clean (all classes)", values: statistic.values(cleanAll.inputs, height: 64, width: 64)),
                (name: featureLabel, values: statistic.values(realFeature.inputs, height: 64, width: 64)),
            ]
            + generatedTarget.map {
                (name: "generated \($0.name)", values: statistic.values($0.images, height: 64, width: 64))
            }
        for arm in report.arms {
            _ = try RenderPipeline.render(
                runFolder: settings.path("runs/\(arm.arm.name)"), className: settings.target,
                count: settings.listenCount, outputFolder: settings.path("listen/\(arm.arm.name)"),
                seed: settings.seed &+ 1)
        }
        let corpus = try Corpus.load(folder: featureCorpus)
        let featured = corpus.items(in: .test).filter { $0.className == settings.target }.prefix(settings.listenCount)
        try ExperimentReportWriter.write(
            report, settings: settings, gridRows: gridRows, statistics: statistics,
            listenSources: [(name: featureLabel.replacingOccurrences(of: ", ", with: "-"), files: featured.map(\.path))]
        )
        hooks.log("wrote \(settings.path("report.md")) (and report.json, grid.png, statistic.png, listen/)")
    }
}
