import Foundation
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioEvaluation
import StudioModels

/// The steps every controlled experiment shares: variant data, classifiers, the judge, detectors.
enum ExperimentSteps {
    /// Builds (or reuses) a variant of the clean corpus in `data/NAME`; returns its folder.
    static func variant(_ variant: CorpusVariant, _ settings: ExperimentSettings, hooks: TrainingHooks) throws
        -> String
    {
        let folder = settings.path("data/\(variant.name)")
        let corpus = try Corpus.load(folder: settings.corpus)
        if variant.existingRecord(in: folder, source: corpus.root) == nil {
            hooks.log("writing the variant corpus \(folder): \(variant.purpose)")
        }
        let record = try variant.build(from: corpus, into: folder) { done, total in
            hooks.progress("variant \(variant.name)", done, total, 0, "")
        }
        let changed = record.changed.keys.sorted().map { "\($0) \(record.changed[$0]!)/\(record.total[$0] ?? 0)" }
        hooks.log("\(variant.name): changed clips " + changed.joined(separator: ", "))
        return folder
    }

    /// Training and held-out data of a corpus (cached log-mel features).
    static func data(_ corpus: String, _ settings: ExperimentSettings, hooks: TrainingHooks) throws -> (
        train: ClassificationData, test: ClassificationData
    ) {
        try ClassifierPipelines.data(.audio(corpus: corpus), cacheFolder: settings.cacheFolder) { done, total in
            hooks.progress("features", done, total, 0, "")
        }
    }

    /// The probed classifier of the experiment's kind for `data`: for the clean corpus (`name`
    /// nil) the cached default one, else one trained with the same recipe into `classifiers/`.
    /// With `classifierEpochs` set, the clean one is trained there too, with the same budget.
    static func classifier(
        _ data: ClassificationData, name: String?, _ settings: ExperimentSettings, hooks: TrainingHooks
    ) throws -> (model: any ImageClassifier, summary: ClassifierSummary, path: String) {
        let role: DefaultClassifiers.Role = settings.classifierKind == .regular ? .regular : .robust
        let own = name != nil || settings.classifierEpochs != nil
        return try DefaultClassifiers.ensure(
            role, data: data, audio: true, dataName: name ?? (own ? "clean" : "audio"),
            cacheFolder: own ? settings.outputFolder : settings.cacheFolder, epochs: settings.classifierEpochs,
            log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") })
    }

    /// The clean corpus's judge (every arm is judged by it).
    static func judge(_ cleanTrain: ClassificationData, _ settings: ExperimentSettings, hooks: TrainingHooks) throws
        -> String
    {
        try DefaultClassifiers.ensure(
            .judge, data: cleanTrain, audio: true, dataName: "audio", cacheFolder: settings.cacheFolder,
            log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") }
        ).path
    }

    /// Logs the detector's threshold, power and false-positive rate on held-out real clips, before
    /// any training: a detector that cannot tell real clips apart makes the rest pointless.
    static func logDetector(
        _ detector: MarkerDetector, cleanTest: ClassificationData, featureTest: ClassificationData, target: String,
        hooks: TrainingHooks
    ) {
        let power = RealDetection.rows(featureTest, source: "feature", detector: detector, classes: [target])
        let clean = RealDetection.rows(cleanTest, source: "clean", detector: detector)
        hooks.log(
            String(format: "detector: threshold %.3f; held-out real clips: ", detector.threshold)
                + power.map { "\($0.className) with the feature \(ExperimentReportWriter.percent($0.detection))" }
                .joined() + "; clean "
                + clean.map { "\($0.className) \(ExperimentReportWriter.percent($0.detection))" }.joined(
                    separator: ", "))
    }

    /// Mel bands of the default frontend whose filters cover `frequency` (one or two).
    static func bands(covering frequency: Double) throws -> Range<Int> {
        guard let bands = try MelFrontendConfiguration().mel.bands(covering: frequency) else {
            throw ExperimentError.badSetting(
                name: "--marker-frequency", reason: "\(frequency) Hz lies outside the mel bands (0-8000 Hz)")
        }
        return bands
    }

    /// Mel bands of the default frontend whose centres lie in `low`...`high` Hz.
    static func bands(from low: Double, to high: Double) throws -> Range<Int> {
        guard let bands = try MelFrontendConfiguration().mel.bands(centredFrom: low, to: high) else {
            throw ExperimentError.badSetting(name: "band", reason: "no mel band centre lies in \(low)-\(high) Hz")
        }
        return bands
    }

    /// The tone detector's statistic: the bands the tone falls in against bands three to five
    /// away on each side, over windows as long as the tone.
    static func toneStatistic(frequency: Double, duration: Double?) throws -> ContrastStatistic {
        let target = try bands(covering: frequency)
        let frontend = try MelFrontendConfiguration()
        let window = duration.map {
            max(1, Int(($0 * Double(frontend.mel.sampleRate) / Double(frontend.stft.hopLength)).rounded()))
        }
        return ContrastStatistic(
            targetRows: target,
            referenceRows: [
                (target.lowerBound - 5)..<(target.lowerBound - 2),
                (target.upperBound + 2)..<(target.upperBound + 5),
            ], window: window)
    }
}
