import Foundation
import ProbeGAN
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioEvaluation
import StudioImage
import StudioPipelines

/// The planted marker of `studio experiment marker`: a tone added to the target class's clips,
/// or (image mode) a patch in the top-left corner of its pictures.
public struct MarkerSettings: Sendable, Codable, Equatable {
    /// Tone frequency (Hz), peak amplitude (full scale 1), start and duration (seconds; nil: to the end).
    public var frequency = 4000.0, amplitude: Float = 0.05, start = 0.0, duration: Double? = nil
    /// When set: the marker is a band of frozen noise this many Hz wide centred on `frequency`,
    /// at RMS `amplitude`, over the whole clip, instead of a tone.
    public var bandwidth: Double? = nil
    /// Image mode: the patch's side in pixels and its value in [-1, 1].
    public var patchSize = 6, patchValue: Float = 1
    /// Image mode: the padding frame around each picture; the patch sits in the corner of the
    /// picture inside it. The experiment sets it, so an image folder made before (nil: its patch
    /// covered the frame) is refused as having other settings.
    public var margin: Int? = nil
    /// The quantile rank of the detector's calibration (see `MarkerDetector`).
    public var falsePositiveRate = 0.01

    /// The defaults: a 4 kHz tone at -26 dBFS through the whole clip; a white 6x6 patch.
    public init() {}

    /// The feature for a modality.
    func feature(image: Bool) -> PlantedFeature {
        if image { return .picture(.cornerPatch(size: patchSize, value: patchValue)) }
        if let bandwidth {
            return .audio(
                .noiseBand(low: frequency - bandwidth / 2, high: frequency + bandwidth / 2, amplitude: amplitude))
        }
        return .audio(.tone(frequency: frequency, amplitude: amplitude, start: start, duration: duration))
    }

    /// The detector's statistic for a modality.
    func statistic(image: Bool) throws -> ContrastStatistic {
        if image {
            let corner = (margin ?? 0)..<((margin ?? 0) + patchSize)
            return ContrastStatistic(targetRows: corner, targetColumns: corner)
        }
        if let bandwidth {
            return try ExperimentSteps.noiseBandStatistic(
                low: frequency - bandwidth / 2, high: frequency + bandwidth / 2)
        }
        return try ExperimentSteps.toneStatistic(frequency: frequency, duration: duration)
    }

    /// What the detector's statistic measures, for the report.
    func detectorDescription(image: Bool, threshold: Float) -> String {
        let what: String
        if image {
            what = "mean value of the patch's pixels (the picture's corner, inside its padding frame)"
        } else if let bandwidth {
            what = String(
                format: "mean log-mel level of the bands the noise band covers (%.0f-%.0f Hz) minus bands 3-6 away",
                frequency - bandwidth / 2, frequency + bandwidth / 2)
        } else {
            what = "mean log-mel level of the bands the tone falls in minus bands 3-5 away"
        }
        return what + String(format: ", threshold %.3f", threshold)
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
    /// Its classifiers and arms: the memory arm probes the marked classifier, the clean and
    /// violation arms the clean one.
    static let layout = ExperimentLayout(
        classifiers: ["marked", "clean"], arms: [("memory", 0), ("clean", 1), ("violation", 1)])

    /// The marker as the experiment uses it (image mode: inside the padding frame), its feature
    /// and statistic, and its settings as JSON text; every value checked, before the folder is
    /// claimed, so a bad value can be corrected.
    static func checked(_ settings: ExperimentSettings, marker: MarkerSettings) throws -> (
        marker: MarkerSettings, feature: PlantedFeature, statistic: ContrastStatistic, details: String
    ) {
        var marker = marker
        if settings.isImage { marker.margin = FashionMNIST.paddingMargin }
        let feature = marker.feature(image: settings.isImage)
        let statistic = try marker.statistic(image: settings.isImage)
        try feature.validate()
        return (marker, feature, statistic, String(decoding: try RunFolder.json(marker), as: UTF8.self))
    }

    /// Claims the folder and writes the experiment's plan (`plan.json`: its units for `--unit`);
    /// trains nothing.
    public static func plan(_ settings: ExperimentSettings, marker: MarkerSettings) throws -> UnitPlan {
        try ExperimentRunner.writePlan(
            settings, experiment: "marker", layout: layout, details: try checked(settings, marker: marker).details)
    }

    /// Runs (or resumes) the experiment and writes its report; with `settings.unit`, runs that unit
    /// of the folder's plan and returns nil.
    public static func run(_ settings: ExperimentSettings, marker: MarkerSettings, hooks: TrainingHooks) throws
        -> ExperimentReport?
    {
        let target = settings.target
        let image = settings.isImage
        let noun = image ? "picture" : "clip"
        let (marker, feature, statistic, details) = try checked(settings, marker: marker)
        let unit = try ExperimentRunner.unit(of: settings, experiment: "marker", layout: layout, details: details)
        try settings.claimFolder(details: details)
        let clean = try ExperimentSteps.cleanData(settings, hooks: hooks)
        let marked = try ExperimentSteps.variant(
            name: "marked-\(target)",
            purpose: "Every \(target) \(noun) (train and test) carries \(feature); other classes are unchanged.",
            rules: [(target, 1)], feature: feature, margin: marker.margin, clean: clean, settings, hooks: hooks)
        let detector = try ExperimentSteps.detector(
            statistic, markerRaises: true, clean: clean, featured: marked, featureSource: markedRealSource,
            target: target, falsePositiveRate: marker.falsePositiveRate, hooks: hooks)

        let judgePath = try ExperimentSteps.judge(clean.train, settings, hooks: hooks)
        // Trained when the first arm that probes them starts, so that with --jobs 2 the clean arm
        // trains while the marked classifier does.
        let markedClassifier = ExperimentSteps.probedClassifier(
            marked.train, name: marked.name, checkName: "marked", trainedOn: marked.name, cleanTest: clean.test,
            featureTest: marked.test, settings)
        let cleanClassifier = ExperimentSteps.probedClassifier(
            clean.train, name: nil, checkName: "clean", trainedOn: "clean data", cleanTest: clean.test,
            featureTest: marked.test, settings)
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
        let frame = ExperimentRunner.Frame(
            experiment: "marker",
            question: "Does ProbeGAN render what the probed classifier memorised about a class the GAN never "
                + "saw? A marker planted only in the classifier's training data can reach the generated "
                + "\(noun)s only through the classifier.",
            feature: feature,
            detectorDescription: marker.detectorDescription(image: image, threshold: detector.detector.threshold),
            hasViolationArm: true, featured: marked, featureLabel: "real, marked", layout: layout)
        return try ExperimentRunner.run(
            arms, classifiers: [markedClassifier, cleanClassifier], frame: frame, settings: settings,
            judgePath: judgePath, detector: detector, clean: clean, unit: unit,
            hooks: hooks, findings: findings)
    }

    /// The detection rows of real held-out target examples that carry the marker.
    static let markedRealSource = "real held-out, marked"

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
        for arm in ["memory", "violation"] {
            if let line = ExperimentRunner.meanShiftFinding(
                report, arm: arm, baseline: "clean", featureSource: markedRealSource)
            {
                lines.append(line)
            }
            if let line = ExperimentRunner.replicateFinding(report, arm: arm, baseline: "clean") {
                lines.append(line)
            }
        }
        if let line = ExperimentRunner.replicateDetectionFinding(report, arms: ["memory", "clean", "violation"]) {
            lines.append(line)
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
            ExperimentRunner.detectorFinding(report, featureSource: markedRealSource, withFeature: "with the marker"))
        return lines
    }
}
