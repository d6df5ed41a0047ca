import Foundation
import ProbeGAN
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioEvaluation
import StudioImage
import StudioPipelines

/// The confound of `studio experiment spurious`: a telephone band limit or a noise bed (image
/// mode: a grey background).
public struct SpuriousSettings: Sendable, Codable, Equatable {
    /// What the confounded class was recorded through.
    public enum Confound: String, Sendable, Codable, CaseIterable {
        /// A telephone line: everything outside `low`...`high` Hz removed. The generator must take
        /// energy away to show it.
        case telephone
        /// A noise bed: a steady hiss of noise in `bedLow`...`bedHigh` Hz under every clip. The
        /// generator must add energy to show it.
        case noiseBed = "noise-bed"
    }

    /// The audio confound (image mode always uses the background).
    public var confound = Confound.telephone
    /// The telephone pass band in Hz.
    public var low = 300.0, high = 3400.0
    /// The noise bed's band in Hz.
    public var bedLow = 4000.0, bedHigh = 8000.0
    /// The noise bed's RMS level (full scale 1).
    public var bedAmplitude: Float = 0.03
    /// Image mode: the background level in [-1, 1] (-1 is the data's black).
    public var backgroundLevel: Float = 0
    /// Image mode: the padding frame around each picture, which stays black; the background and
    /// the detector's rows are the picture's inside it. The experiment sets it, so an image folder made
    /// before (nil: its background covered the frame) is refused as having other settings.
    public var margin: Int? = nil
    /// Share of every class's examples that carry the confound in the balanced data.
    public var balancedShare = 0.5
    /// The quantile rank of the detector's calibration (see `MarkerDetector`).
    public var falsePositiveRate = 0.01

    /// The defaults: a telephone band of 300-3400 Hz (a noise bed: 4-8 kHz at -30 dBFS RMS); a
    /// mid-grey background; half of every class in the balanced data.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case confound, low, high, bedLow, bedHigh, bedAmplitude, backgroundLevel, balancedShare, falsePositiveRate
        case margin
    }

    /// Reads settings written before the noise bed existed too (they are telephone settings).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        confound = try container.decodeIfPresent(Confound.self, forKey: .confound) ?? .telephone
        low = try container.decode(Double.self, forKey: .low)
        high = try container.decode(Double.self, forKey: .high)
        bedLow = try container.decodeIfPresent(Double.self, forKey: .bedLow) ?? bedLow
        bedHigh = try container.decodeIfPresent(Double.self, forKey: .bedHigh) ?? bedHigh
        bedAmplitude = try container.decodeIfPresent(Float.self, forKey: .bedAmplitude) ?? bedAmplitude
        backgroundLevel = try container.decode(Float.self, forKey: .backgroundLevel)
        balancedShare = try container.decode(Double.self, forKey: .balancedShare)
        falsePositiveRate = try container.decode(Double.self, forKey: .falsePositiveRate)
        margin = try container.decodeIfPresent(Int.self, forKey: .margin)
    }

    /// Telephone settings are written without the noise bed's fields, exactly as before the noise
    /// bed existed, so an experiment folder made then is still recognised as the same experiment.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(low, forKey: .low)
        try container.encode(high, forKey: .high)
        try container.encode(backgroundLevel, forKey: .backgroundLevel)
        try container.encode(balancedShare, forKey: .balancedShare)
        try container.encode(falsePositiveRate, forKey: .falsePositiveRate)
        try container.encodeIfPresent(margin, forKey: .margin)
        if confound != .telephone {
            try container.encode(confound, forKey: .confound)
            try container.encode(bedLow, forKey: .bedLow)
            try container.encode(bedHigh, forKey: .bedHigh)
            try container.encode(bedAmplitude, forKey: .bedAmplitude)
        }
    }

    /// The feature for a modality.
    func feature(image: Bool) -> PlantedFeature {
        if image { return .picture(.background(level: backgroundLevel, below: -0.9)) }
        switch confound {
        case .telephone: return .audio(.bandPass(low: low, high: high))
        case .noiseBed: return .audio(.noiseBand(low: bedLow, high: bedHigh, amplitude: bedAmplitude))
        }
    }

    /// A short name for folders and labels ("telephone", "noise bed", "background").
    func label(image: Bool) -> String {
        image ? "background" : confound == .telephone ? "telephone" : "noise bed"
    }

    /// The detector's statistic for a modality, and whether the confound raises it.
    func statistic(image: Bool) throws -> (ContrastStatistic, raises: Bool) {
        if image {
            // The picture's top four rows (inside the padding frame): background in almost every
            // picture of the data.
            let margin = margin ?? 0
            let inside = margin..<(FashionMNIST.paddedSide - margin)
            return (ContrastStatistic(targetRows: margin..<(margin + 4), targetColumns: inside), true)
        }
        if confound == .noiseBed {
            guard bedLow >= 1000, bedLow < bedHigh else {
                throw ExperimentError.badSetting(
                    name: "--bed-low/--bed-high", reason: "needs 1000 Hz <= low < high to leave bands below it")
            }
            // The bed's bands against bands 2-6 away on each side (those past 8 kHz drop out),
            // over the whole clip.
            return (try ExperimentSteps.noiseBandStatistic(low: bedLow, high: bedHigh), true)
        }
        guard high < 7000, low < high else {
            throw ExperimentError.badSetting(
                name: "--band-low/--band-high", reason: "needs low < high < 7000 Hz to leave a band above it")
        }
        // High band (above the pass band) against the pass band, over the whole clip: a
        // band-limited clip's high band falls to the floor.
        let statistic = ContrastStatistic(
            targetRows: try ExperimentSteps.bands(from: high + 300, to: 8000),
            referenceRows: [try ExperimentSteps.bands(from: low + 100, to: high - 200)])
        return (statistic, false)
    }
}

/// `studio experiment spurious`: does ProbeGAN show a spurious feature a classifier learned? (The
/// paper's section 4.4.)
///
/// Two classifiers: `confounded`, trained where every target-class example carries the confound
/// (a telephone band or a noise bed; a grey background) and no other does; `balanced`, trained where half of
/// every class's examples do, so the confound says nothing about the class. ProbeGAN renders the
/// target class from clean examples of the other classes with each. The confounded classifier's
/// generated target examples should carry the confound; the balanced one's should not.
public enum SpuriousExperiment {
    /// Its classifiers and arms: each arm probes its own classifier.
    static let layout = ExperimentLayout(
        classifiers: ["confounded", "balanced"], arms: [("confounded", 0), ("balanced", 1)])

    /// The confound as the experiment uses it (image mode: inside the padding frame), its feature,
    /// statistic and direction, and its settings as JSON text; every value checked, before the
    /// folder is claimed, so a bad value can be corrected.
    static func checked(_ settings: ExperimentSettings, confound: SpuriousSettings) throws -> (
        confound: SpuriousSettings, feature: PlantedFeature, statistic: (ContrastStatistic, raises: Bool),
        details: String
    ) {
        var confound = confound
        if settings.isImage { confound.margin = FashionMNIST.paddingMargin }
        let feature = confound.feature(image: settings.isImage)
        let statistic = try confound.statistic(image: settings.isImage)
        try feature.validate()
        guard (0.05...0.95).contains(confound.balancedShare) else {
            throw ExperimentError.badSetting(
                name: "--balanced-share", reason: "must lie in [0.05, 0.95], got \(confound.balancedShare)")
        }
        return (confound, feature, statistic, String(decoding: try RunFolder.json(confound), as: UTF8.self))
    }

    /// Claims the folder and writes the experiment's plan (`plan.json`: its units for `--unit`);
    /// trains nothing.
    public static func plan(_ settings: ExperimentSettings, confound: SpuriousSettings) throws -> UnitPlan {
        try ExperimentRunner.writePlan(
            settings, experiment: "spurious", layout: layout,
            details: try checked(settings, confound: confound).details)
    }

    /// Runs (or resumes) the experiment and writes its report; with `settings.unit`, runs that unit
    /// of the folder's plan and returns nil.
    public static func run(_ settings: ExperimentSettings, confound: SpuriousSettings, hooks: TrainingHooks) throws
        -> ExperimentReport?
    {
        let target = settings.target
        let image = settings.isImage
        let noun = image ? "picture" : "clip"
        let label = confound.label(image: image)
        let folderLabel = label.replacingOccurrences(of: " ", with: "")
        let (confound, feature, (statistic, raises), details) = try checked(settings, confound: confound)
        let unit = try ExperimentRunner.unit(of: settings, experiment: "spurious", layout: layout, details: details)
        try settings.claimFolder(details: details)
        let clean = try ExperimentSteps.cleanData(settings, hooks: hooks)
        let confounded = try ExperimentSteps.variant(
            name: "\(folderLabel)-\(target)",
            purpose: "Every \(target) \(noun) (train and test) has \(feature); no other \(noun) has.",
            rules: [(target, 1)], feature: feature, margin: confound.margin, clean: clean, settings, hooks: hooks)
        let balanced = try ExperimentSteps.variant(
            name: "\(folderLabel)-balanced",
            purpose: String(format: "%.0f%% of every class's %@s", 100 * confound.balancedShare, noun)
                + " (train and test, chosen per example) have \(feature): it says nothing about the class.",
            rules: [(nil, confound.balancedShare)], feature: feature, margin: confound.margin, clean: clean, settings,
            hooks: hooks)
        let featureSource = image ? "real held-out, grey background" : "real held-out, \(label)"
        let detector = try ExperimentSteps.detector(
            statistic, markerRaises: raises, clean: clean, featured: confounded, featureSource: featureSource,
            target: target, falsePositiveRate: confound.falsePositiveRate, hooks: hooks)

        let judgePath = try ExperimentSteps.judge(clean.train, settings, hooks: hooks)
        // Trained when the first arm that probes them starts: with --jobs 2, both at once.
        let confoundedClassifier = ExperimentSteps.probedClassifier(
            confounded.train, name: confounded.name, checkName: "confounded", trainedOn: confounded.name,
            cleanTest: clean.test, featureTest: confounded.test, settings)
        let balancedClassifier = ExperimentSteps.probedClassifier(
            balanced.train, name: balanced.name, checkName: "balanced", trainedOn: balanced.name,
            cleanTest: clean.test, featureTest: confounded.test, settings)
        let kind = settings.classifierKind.rawValue
        let cleanData = settings.imageData ?? settings.corpus
        let arms = [
            ExperimentArm(
                name: "confounded",
                title: "\(kind) classifier trained where only \(target) had \(feature); GAN data: clean "
                    + "\(noun)s of the other classes",
                ganData: cleanData, ganVariant: nil, method: .probegan, classifierPath: confoundedClassifier.path,
                absenceViolated: false),
            ExperimentArm(
                name: "balanced",
                title: "\(kind) classifier trained where every class had it equally often; the same GAN data",
                ganData: cleanData, ganVariant: nil, method: .probegan, classifierPath: balancedClassifier.path,
                absenceViolated: false),
        ]
        let frame = ExperimentRunner.Frame(
            experiment: "spurious",
            question: "Does ProbeGAN show a spurious feature the classifier learned for a class? A classifier "
                + "that only ever saw \(target) with \(feature) may take it for part of \(target); one that saw "
                + "it equally often in every class has no reason to.",
            feature: feature,
            detectorDescription: image
                ? String(
                    format: "mean value of the picture's top four rows (inside its padding frame), threshold %.3f",
                    detector.detector.threshold)
                : confound.confound == .noiseBed
                    ? "mean log-mel level in the bed's bands minus neighbouring bands, over the whole clip; "
                        + String(format: "a bed above %.3f", detector.detector.threshold)
                    : "mean log-mel level above the pass band minus inside it; band-limited below "
                        + String(format: "%.3f", detector.detector.threshold),
            hasViolationArm: false, featured: confounded,
            featureLabel: image ? "real, grey background" : "real, \(label)", layout: layout)
        return try ExperimentRunner.run(
            arms, classifiers: [confoundedClassifier, balancedClassifier], frame: frame, settings: settings,
            judgePath: judgePath, detector: detector, clean: clean, unit: unit,
            hooks: hooks
        ) { findings($0, featureSource: featureSource) }
    }

    static func findings(_ report: ExperimentReport, featureSource: String) -> [String] {
        let target = report.target
        let noun = report.settings.isImage ? "pictures" : "clips"
        var lines = [String]()
        if let confounded = report.row("confounded", target), let balanced = report.row("balanced", target) {
            let verdict =
                confounded.detection.lower > balanced.detection.upper
                ? "the intervals do not overlap; ProbeGAN shows the confound for the confounded classifier only."
                : balanced.detection.lower > confounded.detection.upper
                    ? "the balanced arm carries it more often, the opposite of the expectation; the intervals do not "
                        + "overlap."
                    : "the intervals overlap; this run does not separate the two classifiers."
            lines.append(
                "Generated \(target) \(noun) carry the confound in "
                    + "\(ExperimentReportWriter.percent(confounded.detection)) with the confounded classifier and "
                    + "\(ExperimentReportWriter.percent(balanced.detection)) with the balanced one (mean statistic "
                    + String(format: "%.3f vs %.3f", confounded.meanStatistic, balanced.meanStatistic) + "): "
                    + verdict)
        }
        if let line = ExperimentRunner.meanShiftFinding(
            report, arm: "confounded", baseline: "balanced", featureSource: featureSource)
        {
            lines.append(line)
        }
        if let line = ExperimentRunner.replicateFinding(report, arm: "confounded", baseline: "balanced") {
            lines.append(line)
        }
        if let line = ExperimentRunner.replicateDetectionFinding(report, arms: ["confounded", "balanced"]) {
            lines.append(line)
        }
        for check in report.classifiers {
            lines.append(
                String(
                    format: "The %@ classifier recognises %.1f%% of held-out %@ %@ with the confound and %.1f%% "
                        + "without it.", check.name, 100 * check.targetAccuracyWithFeature, target, noun,
                    100 * check.targetAccuracyClean))
        }
        lines.append(
            ExperimentRunner.detectorFinding(report, featureSource: featureSource, withFeature: "with the confound"))
        return lines
    }
}
