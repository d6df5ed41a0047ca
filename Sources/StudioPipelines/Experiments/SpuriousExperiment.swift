import Foundation
import ProbeGAN
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioEvaluation

/// The confound of `studio experiment spurious`: a telephone band limit.
public struct SpuriousSettings: Sendable, Codable, Equatable {
    /// The pass band in Hz.
    public var low = 300.0, high = 3400.0
    /// Share of every class's clips band-limited in the balanced corpus.
    public var balancedShare = 0.5
    /// Share of clean real clips the detector may call band-limited.
    public var falsePositiveRate = 0.01

    /// The defaults: 300-3400 Hz, half of every class in the balanced corpus, 1% false positives.
    public init() {}

    /// The effect.
    public var effect: AudioEffect { .bandPass(low: low, high: high) }
}

/// `studio experiment spurious`: does ProbeGAN show a spurious feature a classifier learned? (The
/// paper's section 4.4, for audio.)
///
/// Two classifiers: `confounded`, trained on a corpus where every target-class clip came through a
/// telephone line (band-limited) and no other clip did; `balanced`, trained on a corpus where half
/// of every class's clips did, so the band says nothing about the class. ProbeGAN renders the
/// target class from clean, full-band clips of the other classes with each. The confounded
/// classifier's generated target clips should lose their high band; the balanced one's should not.
public enum SpuriousExperiment {
    /// Runs (or resumes) the experiment and writes its report.
    public static func run(_ settings: ExperimentSettings, confound: SpuriousSettings, hooks: TrainingHooks) throws
        -> ExperimentReport
    {
        try settings.claimFolder(details: String(decoding: try RunFolder.json(confound), as: UTF8.self))
        guard confound.high < 7000, confound.low < confound.high else {
            throw ExperimentError.badSetting(
                name: "--band", reason: "needs low < high < 7000 Hz so that a band above it is left to measure")
        }
        let target = settings.target
        let confounded = CorpusVariant(
            name: "telephone-\(target)",
            purpose: "Every \(target) clip (train and test) is \(confound.effect); no other clip is.",
            rules: [CorpusVariantRule(className: target, effect: confound.effect)], seed: settings.seed)
        let balanced = CorpusVariant(
            name: "telephone-balanced",
            purpose: String(format: "%.0f%% of every class's clips", 100 * confound.balancedShare)
                + " (train and test, chosen per file) are \(confound.effect): the band says nothing about the class.",
            rules: [CorpusVariantRule(className: nil, fraction: confound.balancedShare, effect: confound.effect)],
            seed: settings.seed)
        let confoundedCorpus = try ExperimentSteps.variant(confounded, settings, hooks: hooks)
        let balancedCorpus = try ExperimentSteps.variant(balanced, settings, hooks: hooks)
        let clean = try ExperimentSteps.data(settings.corpus, settings, hooks: hooks)
        let confoundedData = try ExperimentSteps.data(confoundedCorpus, settings, hooks: hooks)
        let balancedData = try ExperimentSteps.data(balancedCorpus, settings, hooks: hooks)
        // High band (above the pass band) against the pass band, over the whole clip: a band-limited
        // clip's high band falls to the floor.
        let statistic = ContrastStatistic(
            targetRows: try ExperimentSteps.bands(from: confound.high + 300, to: 8000),
            referenceRows: [try ExperimentSteps.bands(from: confound.low + 100, to: confound.high - 200)])
        let detector = try MarkerDetector(
            statistic: statistic, markerRaises: false, clean: clean.train.inputs, height: clean.train.height,
            width: clean.train.width, falsePositiveRate: confound.falsePositiveRate)

        ExperimentSteps.logDetector(
            detector, cleanTest: clean.test, featureTest: confoundedData.test, target: target, hooks: hooks)
        let judgePath = try ExperimentSteps.judge(clean.train, settings, hooks: hooks)
        let confoundedClassifier = try ExperimentSteps.classifier(
            confoundedData.train, name: confounded.name, settings, hooks: hooks)
        let balancedClassifier = try ExperimentSteps.classifier(
            balancedData.train, name: balanced.name, settings, hooks: hooks)
        let kind = settings.classifierKind.rawValue
        let arms = [
            ExperimentArm(
                name: "confounded",
                title: "\(kind) classifier trained where only \(target) came through the telephone "
                    + "band; GAN data: full-band clips of the other classes",
                ganCorpus: settings.corpus, method: .probegan, classifierPath: confoundedClassifier.path,
                absenceViolated: false),
            ExperimentArm(
                name: "balanced",
                title: "\(kind) classifier trained where every class came through it equally often; "
                    + "the same GAN data",
                ganCorpus: settings.corpus, method: .probegan, classifierPath: balancedClassifier.path,
                absenceViolated: false),
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
            generatedTarget.append((arm.name, try MarkerExperiment.targetSamples(arm, settings)))
        }
        rows += RealDetection.rows(clean.test, source: "real held-out, clean", detector: detector)
        rows += RealDetection.rows(
            confoundedData.test, source: "real held-out, telephone", detector: detector, classes: [target])
        let checks = [
            try RealDetection.check(
                name: "confounded", path: confoundedClassifier.path, trainedOn: confoundedCorpus,
                model: confoundedClassifier.model, cleanTest: clean.test, featureTest: confoundedData.test,
                target: target),
            try RealDetection.check(
                name: "balanced", path: balancedClassifier.path, trainedOn: balancedCorpus,
                model: balancedClassifier.model, cleanTest: clean.test, featureTest: confoundedData.test,
                target: target),
        ]
        var report = ExperimentReport(
            experiment: "spurious",
            question: "Does ProbeGAN show a spurious feature the classifier learned for a class? A classifier that "
                + "only ever heard \(target) through a telephone line may take the narrow band for part of "
                + "\(target); one that heard every class through it equally often has no reason to.",
            target: target, feature: confound.effect.description, detector: detector,
            detectorDescription: "mean log-mel level above the pass band minus inside it; band-limited below "
                + String(format: "%.3f", detector.threshold),
            classifiers: checks, arms: records, rows: rows, findings: [],
            notes: MarkerExperiment.notes(settings, detector: detector).filter { !$0.contains("violation") },
            settings: settings)
        report.findings = findings(report)
        try MarkerExperiment.writeOutputs(
            report, settings: settings, generatedTarget: generatedTarget,
            realFeature: MarkerExperiment.targetSubset(confoundedData.test, target),
            realClean: MarkerExperiment.targetSubset(clean.test, target), cleanAll: clean.test,
            featureLabel: "real, telephone", featureCorpus: confoundedCorpus, hooks: hooks)
        return report
    }

    static func findings(_ report: ExperimentReport) -> [String] {
        let target = report.target
        var lines = [String]()
        if let confounded = report.row("confounded", target), let balanced = report.row("balanced", target) {
            let separated = confounded.detection.lower > balanced.detection.upper
            lines.append(
                "Generated \(target) clips are band-limited in \(ExperimentReportWriter.percent(confounded.detection)) "
                    + "with the confounded classifier and \(ExperimentReportWriter.percent(balanced.detection)) with "
                    + "the balanced one (mean statistic "
                    + String(format: "%.3f vs %.3f", confounded.meanStatistic, balanced.meanStatistic) + "): "
                    + (separated
                        ? "the intervals do not overlap; ProbeGAN separates the two classifiers."
                        : "the intervals overlap; this run does not separate them."))
        }
        for check in report.classifiers {
            lines.append(
                String(
                    format: "The %@ classifier recognises %.1f%% of held-out %@ clips through the telephone band and "
                        + "%.1f%% at full band.", check.name, 100 * check.targetAccuracyWithFeature, target,
                    100 * check.targetAccuracyClean))
        }
        let real = report.row("real held-out, telephone", target).map { ExperimentReportWriter.percent($0.detection) }
        lines.append(
            "Detector on real held-out clips: \(real ?? "-") of band-limited \(target) clips detected; clean clips: "
                + report.rows.filter { $0.source == "real held-out, clean" }.map {
                    "\($0.className) \(ExperimentReportWriter.percent($0.detection))"
                }.joined(separator: ", ") + ".")
        return lines
    }
}
