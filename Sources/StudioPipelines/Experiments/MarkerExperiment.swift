import Foundation
import ProbeGAN
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioEvaluation
import StudioImage

/// The planted marker of `studio experiment marker`: a tone added to the target class's clips,
/// or (image mode) a patch in the top-left corner of its pictures.
public struct MarkerSettings: Sendable, Codable, Equatable {
    /// Tone frequency (Hz), peak amplitude (full scale 1), start and duration (seconds; nil: to the end).
    public var frequency = 4000.0, amplitude: Float = 0.05, start = 0.0, duration: Double? = nil
    /// Image mode: the patch's side in pixels and its value in [-1, 1].
    public var patchSize = 6, patchValue: Float = 1
    /// The quantile rank of the detector's calibration (see `MarkerDetector`).
    public var falsePositiveRate = 0.01

    /// The defaults: a 4 kHz tone at -26 dBFS through the whole clip; a white 6x6 patch.
    public init() {}

    /// The feature for a modality.
    func feature(image: Bool) -> PlantedFeature {
        image
            ? .picture(.cornerPatch(size: patchSize, value: patchValue))
            : .audio(.tone(frequency: frequency, amplitude: amplitude, start: start, duration: duration))
    }

    /// The detector's statistic for a modality.
    func statistic(image: Bool) throws -> ContrastStatistic {
        image
            ? ContrastStatistic(targetRows: 0..<patchSize, targetColumns: 0..<patchSize)
            : try ExperimentSteps.toneStatistic(frequency: frequency, duration: duration)
    }
}

/// `studio experiment marker`: does ProbeGAN read a classifier's memory? (The paper's Appendix
/// B.1 and section 4.3.)
///
/// Three arms, the same GAN budget each, the target class unseen by the GAN unless stated:
/// `memory`, a classifier trained with a marker on every target example, the GAN's data
/// marker-free; `clean`, a classifier trained on clean data, the same GAN data; `violation`, the
/// clean classifier but the GAN trains on every class including the marked target examples
/// (ORACLE: the absence constraint broken on purpose). A marker found in `memory`'s generated
/// target examples can only have come from the classifier.
public enum MarkerExperiment {
    /// Runs (or resumes) the experiment and writes its report.
    public static func run(_ settings: ExperimentSettings, marker: MarkerSettings, hooks: TrainingHooks) throws
        -> ExperimentReport
    {
        let target = settings.target
        let image = settings.isImage
        let noun = image ? "picture" : "clip"
        // Every setting is checked before the folder is claimed, so a bad value can be corrected.
        let feature = marker.feature(image: image)
        let statistic = try marker.statistic(image: image)
        try feature.validate()
        try settings.claimFolder(details: String(decoding: try RunFolder.json(marker), as: UTF8.self))
        let clean = try ExperimentSteps.cleanData(settings, hooks: hooks)
        let marked = try ExperimentSteps.variant(
            name: "marked-\(target)",
            purpose: "Every \(target) \(noun) (train and test) carries \(feature); other classes are unchanged.",
            rules: [(target, 1)], feature: feature, clean: clean, settings, hooks: hooks)
        let detector = try ExperimentSteps.detector(
            statistic, markerRaises: true, clean: clean, featured: marked, target: target,
            falsePositiveRate: marker.falsePositiveRate, hooks: hooks)

        let judgePath = try ExperimentSteps.judge(clean.train, settings, hooks: hooks)
        let cleanClassifier = try ExperimentSteps.classifier(clean.train, name: nil, settings, hooks: hooks)
        let markedClassifier = try ExperimentSteps.classifier(marked.train, name: marked.name, settings, hooks: hooks)
        let kind = settings.classifierKind.rawValue
        let cleanData = settings.imageData ?? settings.corpus
        let arms = [
            ExperimentArm(
                name: "memory",
                title: "\(kind) classifier trained with the marker on every \(target) \(noun); GAN data without "
                    + "\(target) and without any marker",
                ganData: cleanData, ganVariant: nil, method: .probegan, classifierPath: markedClassifier.path,
                absenceViolated: false),
            ExperimentArm(
                name: "clean", title: "\(kind) classifier trained on clean \(noun)s; the same GAN data",
                ganData: cleanData, ganVariant: nil, method: .probegan, classifierPath: cleanClassifier.path,
                absenceViolated: false),
            ExperimentArm(
                name: "violation",
                title: "the clean classifier; the GAN trains on every class including the marked \(target) "
                    + "\(noun)s (ORACLE)",
                ganData: marked.folder, ganVariant: marked.imageVariant, method: .oracle,
                classifierPath: cleanClassifier.path, absenceViolated: true),
        ]
        let checks = [
            try RealDetection.check(
                name: "marked", path: markedClassifier.path, trainedOn: marked.name, model: markedClassifier.model,
                cleanTest: clean.test, featureTest: marked.test, target: target),
            try RealDetection.check(
                name: "clean", path: cleanClassifier.path, trainedOn: "clean data", model: cleanClassifier.model,
                cleanTest: clean.test, featureTest: marked.test, target: target),
        ]
        let realRows =
            RealDetection.rows(clean.test, source: "real held-out, clean", detector: detector)
            + RealDetection.rows(marked.test, source: "real held-out, marked", detector: detector, classes: [target])
        var report: ExperimentReport?
        try runArms(arms, settings: settings, judgePath: judgePath, detector: detector, hooks: hooks) {
            records, generatedRows, generatedTarget in
            var interim = ExperimentReport(
                experiment: "marker",
                question: "Does ProbeGAN render what the probed classifier memorised about a class the GAN never "
                    + "saw? A marker planted only in the classifier's training data can reach the generated "
                    + "\(noun)s only through the classifier.",
                target: target, feature: feature.description, detector: detector,
                detectorDescription: image
                    ? String(format: "mean value of the patch's pixels, threshold %.3f", detector.threshold)
                    : "mean log-mel level of the bands the tone falls in minus bands 3-5 away, "
                        + String(format: "threshold %.3f", detector.threshold),
                classifiers: checks, arms: records, rows: generatedRows + realRows, findings: [],
                notes: notes(settings, detector: detector, violation: true, pending: arms.dropFirst(records.count)),
                settings: settings)
            interim.findings = findings(interim)
            try writeOutputs(
                interim, settings: settings, generatedTarget: generatedTarget, featured: marked, clean: clean,
                featureLabel: "real, marked", hooks: hooks)
            report = interim
        }
        return report!
    }

    /// Trains (or keeps) every arm and measures its generated examples.
    /// After each arm, `afterEach` gets everything measured so far (an interim report is written
    /// as soon as one arm is done).
    static func runArms(
        _ arms: [ExperimentArm], settings: ExperimentSettings, judgePath: String, detector: MarkerDetector,
        hooks: TrainingHooks,
        afterEach: ([ExperimentReport.ArmRecord], [DetectionRow], [(name: String, images: [Float])]) throws -> Void
    ) throws {
        var records = [ExperimentReport.ArmRecord]()
        var rows = [DetectionRow]()
        var generatedTarget = [(name: String, images: [Float])]()
        for arm in arms {
            let summary = try arm.run(settings, judgePath: judgePath, hooks: hooks)
            records.append(
                ExperimentReport.ArmRecord(
                    arm: arm, iterations: summary.iterations, selectedIteration: summary.selectedIteration,
                    trainingSeconds: summary.trainingSeconds))
            let names = try RunFolder(settings.path("runs/\(arm.name)")).readRun().configuration.classNames
            let samples = try arm.samples(settings)
            for (label, images) in samples {
                let (rate, mean) = detector.detectionRate(
                    images.scalars, height: images.shape[2], width: images.shape[3])
                rows.append(
                    DetectionRow(
                        source: arm.name, className: names[label], detection: rate, meanStatistic: mean,
                        judgeRecognition: summary.classes[names[label]]?.judgeRecognition))
                if names[label] == settings.target { generatedTarget.append((arm.name, images.scalars)) }
            }
            try afterEach(records, rows, generatedTarget)
        }
    }

    static func notes(
        _ settings: ExperimentSettings, detector: MarkerDetector, violation: Bool, pending: ArraySlice<ExperimentArm>
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
        var lines = [
            "The detector's threshold is \(calibration); the held-out rows show its power and false-positive rate "
                + "on real \(noun).",
            "Every arm: ProbeGAN's quick preset for \(settings.iterations) iterations, seed \(settings.seed), the "
                + "leak-free selection rule; \(settings.samples) generated \(noun) per class from the selected "
                + "generator. The judge (the clean data's) is never used for training or selection.",
            "Intervals are Wilson 95% intervals over \(noun); one seed per arm.",
        ]
        if !pending.isEmpty {
            lines.insert(
                "Interim report: the arm(s) " + pending.map(\.name).joined(separator: ", ")
                    + " have not run yet; rerun the same command to continue.", at: 0)
        }
        if violation {
            lines.insert(
                "The violation arm is ORACLE: it saw the target class's (marked) \(noun). It is not a probe; it "
                    + "shows why the target class must be absent from the GAN's data.", at: 2)
        }
        return lines
    }

    static func findings(_ report: ExperimentReport) -> [String] {
        let target = report.target
        let noun = report.settings.isImage ? "pictures" : "clips"
        let rate = { (source: String) in
            report.row(source, target).map { ExperimentReportWriter.percent($0.detection) } ?? "-"
        }
        var lines = [String]()
        if let memory = report.row("memory", target), let clean = report.row("clean", target) {
            let met = memory.detection.rate >= 0.8 && clean.detection.rate <= 0.1
            lines.append(
                "Classifier memory: the marker is in \(rate("memory")) of generated \(target) \(noun) when the "
                    + "probed classifier learned it, and in \(rate("clean")) with the clean classifier; the GAN saw "
                    + "no marker and no \(target) example in either arm. Criterion (>= 80% and <= 10%): "
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
                "Absence violated: with the clean classifier and marked \(target) \(noun) in the GAN's data, the "
                    + "marker is in \(rate("violation")) of generated \(target) \(noun), though that classifier "
                    + "never saw it.")
        }
        if let check = report.classifiers.first(where: { $0.name == "marked" }) {
            lines.append(
                String(
                    format: "The marked classifier recognises %.1f%% of held-out %@ %@ with the marker and %.1f%% "
                        + "without it.", 100 * check.targetAccuracyWithFeature, target, noun,
                    100 * check.targetAccuracyClean))
        }
        lines.append(
            "Detector on real held-out \(noun): \(rate("real held-out, marked")) of marked \(target) \(noun) "
                + "detected; clean: "
                + report.rows.filter { $0.source == "real held-out, clean" }.map {
                    "\($0.className) \(ExperimentReportWriter.percent($0.detection))"
                }.joined(separator: ", ") + ".")
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
        for arm in report.arms {
            _ = try RenderPipeline.render(
                runFolder: settings.path("runs/\(arm.arm.name)"), className: settings.target,
                count: settings.listenCount, outputFolder: settings.path("\(outputs)/\(arm.arm.name)"),
                seed: settings.seed &+ 1)
        }
        var listen = [(name: String, files: [String])]()
        if !settings.isImage {
            let corpus = try Corpus.load(folder: featured.folder)
            let items = corpus.items(in: .test).filter { $0.className == settings.target }.prefix(settings.listenCount)
            listen.append((featureLabel.replacingOccurrences(of: ", ", with: "-"), items.map(\.path)))
        }
        try ExperimentReportWriter.write(
            report, settings: settings, shape: (data.channels, data.height, data.width), gridRows: gridRows,
            statistics: statistics, listenSources: listen)
        hooks.log("wrote \(settings.path("report.md")) (and report.json, grid.png, statistic.png, \(outputs)/)")
    }
}
