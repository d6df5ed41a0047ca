import Foundation
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioEvaluation
import StudioImage
import StudioModels
import StudioPipelines

/// A planted feature in either modality.
public enum PlantedFeature: Sendable, Codable, Equatable, CustomStringConvertible {
    /// A change to clips (written into a variant corpus on disk).
    case audio(AudioEffect)
    /// A change to pictures (applied in memory when the data are loaded).
    case picture(PictureEffect)

    /// Checks the effect's parameters on a blank example of the default shapes (a 1.008 s clip at
    /// 16 kHz, a 1 x 32 x 32 picture with its 2-pixel padding frame), and that a tone starts inside
    /// the analysed 64 frames.
    /// - Throws: `ExperimentError.badSetting` naming the setting.
    func validate() throws {
        do {
            switch self {
            case .audio(let effect):
                if case .tone(_, _, let start, _) = effect, start >= 1.0 {
                    throw ExperimentError.badSetting(
                        name: "--marker-start", reason: "\(start) s lies past the analysed 1.008 s of each clip")
                }
                _ = try effect.apply(to: [Float](repeating: 0, count: 16_128), sampleRate: 16_000)
            case .picture(let effect):
                if case .background(let level, let below) = effect, level <= below {
                    throw ExperimentError.badSetting(
                        name: "--background-level",
                        reason:
                            "\(level) does not lift the background (pixels at or below \(below)); use a value above it")
                }
                let side = FashionMNIST.paddedSide
                _ = try effect.apply(
                    to: [Float](repeating: -1, count: side * side), channels: 1, height: side, width: side,
                    margin: FashionMNIST.paddingMargin)
            }
        } catch let error as AudioError {
            throw ExperimentError.badSetting(name: "the planted feature", reason: error.description)
        } catch let error as ImageError {
            throw ExperimentError.badSetting(name: "the planted feature", reason: error.description)
        }
    }

    /// The effect in words.
    public var description: String {
        switch self {
        case .audio(let effect): return effect.description
        case .picture(let effect): return effect.description
        }
    }
}

/// Data with a planted feature: the classification data, and how a GAN run gets the same data.
struct VariantData {
    /// Its name.
    let name: String
    /// Training and held-out examples.
    let train: ClassificationData, test: ClassificationData
    /// Audio: the variant corpus folder. Image: the clean data folder.
    let folder: String
    /// Image: the variant to apply on loading.
    let imageVariant: ImageDataVariant?
}

/// The steps every controlled experiment shares: variant data, classifiers, the judge, detectors.
enum ExperimentSteps {
    /// Training and held-out data of the clean source.
    static func cleanData(_ settings: ExperimentSettings, hooks: TrainingHooks) throws -> (
        train: ClassificationData, test: ClassificationData
    ) {
        try ClassifierPipelines.data(settings.source, cacheFolder: settings.cacheFolder) { done, total in
            hooks.progress("features", done, total, 0, "")
        }
    }

    /// Builds (or reuses) a variant where each rule's share of a class (nil: every class) carries
    /// `feature`: a corpus in `data/NAME` for audio, an in-memory change for pictures (inside a
    /// padding frame `margin` pixels wide, which stays as it is).
    static func variant(
        name: String, purpose: String, rules: [(className: String?, fraction: Double)], feature: PlantedFeature,
        margin: Int? = nil, clean: (train: ClassificationData, test: ClassificationData),
        _ settings: ExperimentSettings,
        hooks: TrainingHooks
    ) throws -> VariantData {
        switch feature {
        case .audio(let effect):
            let variant = CorpusVariant(
                name: name, purpose: purpose,
                rules: rules.map { CorpusVariantRule(className: $0.className, fraction: $0.fraction, effect: effect) },
                seed: settings.seed)
            let folder = settings.path("data/\(name)")
            let corpus = try Corpus.load(folder: settings.corpus)
            if variant.existingRecord(in: folder, corpus: corpus) == nil {
                hooks.log("writing the variant corpus \(folder): \(purpose)")
            }
            let record = try variant.build(from: corpus, into: folder) { done, total in
                hooks.progress("variant \(name)", done, total, 0, "")
            }
            let changed = record.changed.keys.sorted().map { "\($0) \(record.changed[$0]!)/\(record.total[$0] ?? 0)" }
            hooks.log("\(name): changed clips " + changed.joined(separator: ", "))
            let (train, test) = try ClassifierPipelines.data(.audio(corpus: folder), cacheFolder: settings.cacheFolder)
            {
                done, total in hooks.progress("features", done, total, 0, "")
            }
            return VariantData(name: name, train: train, test: test, folder: folder, imageVariant: nil)
        case .picture(let effect):
            let variant = ImageDataVariant(
                name: name, purpose: purpose,
                rules: rules.map {
                    ImageDataVariant.Rule(className: $0.className, fraction: $0.fraction, effect: effect)
                },
                seed: settings.seed, margin: margin)
            hooks.log("\(name): \(purpose)")
            return VariantData(
                name: name, train: try variant.apply(to: clean.train, split: .train),
                test: try variant.apply(to: clean.test, split: .test), folder: settings.imageData ?? "",
                imageVariant: variant)
        }
    }

    /// The probed classifier of the experiment's kind for `data`: for the clean data (`name` nil)
    /// the cached default one, else one trained with the same recipe into `classifiers/`. With
    /// `classifierEpochs` set, the clean one is trained there too, with the same budget.
    static func classifier(
        _ data: ClassificationData, name: String?, _ settings: ExperimentSettings, hooks: TrainingHooks
    ) throws -> (model: any ImageClassifier, summary: ClassifierSummary, path: String) {
        let place = classifierPlace(name: name, settings)
        return try DefaultClassifiers.ensure(
            place.role, data: data, audio: !settings.isImage, dataName: place.dataName,
            cacheFolder: place.cacheFolder, epochs: settings.classifierEpochs,
            log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") })
    }

    /// Where `classifier(_:name:_:hooks:)` keeps a classifier: the default one in the cache, the
    /// experiment's own (a variant's, or any with `--classifier-epochs`) in the experiment folder.
    static func classifierPlace(name: String?, _ settings: ExperimentSettings) -> (
        role: DefaultClassifiers.Role, dataName: String, cacheFolder: String, path: String
    ) {
        let role: DefaultClassifiers.Role = settings.classifierKind == .regular ? .regular : .robust
        let own = name != nil || settings.classifierEpochs != nil
        let dataName = name ?? (own ? "clean" : settings.dataName)
        let cacheFolder = own ? settings.outputFolder : settings.cacheFolder
        return (
            role, dataName, cacheFolder, DefaultClassifiers.path(role, dataName: dataName, cacheFolder: cacheFolder)
        )
    }

    /// A classifier the arms probe, trained on `data` (variant `name`, nil: clean) when the first
    /// arm that probes it starts, and checked (as `checkName`) on clean held-out examples and on
    /// held-out examples with the feature.
    static func probedClassifier(
        _ data: ClassificationData, name: String?, checkName: String, trainedOn: String,
        cleanTest: ClassificationData, featureTest: ClassificationData, _ settings: ExperimentSettings
    ) -> ProbedClassifier {
        ProbedClassifier(path: classifierPlace(name: name, settings).path) { hooks in
            try settings.requireForDiagnostic(classifierPlace(name: name, settings).path, what: "the classifier")
            let trained = try classifier(data, name: name, settings, hooks: hooks)
            return try RealDetection.check(
                name: checkName, path: trained.path, trainedOn: trainedOn, model: trained.model, cleanTest: cleanTest,
                featureTest: featureTest, target: settings.target)
        }
    }

    /// The clean data's judge (every arm is judged by it).
    static func judge(_ cleanTrain: ClassificationData, _ settings: ExperimentSettings, hooks: TrainingHooks) throws
        -> String
    {
        try settings.requireForDiagnostic(
            DefaultClassifiers.path(.judge, dataName: settings.dataName, cacheFolder: settings.cacheFolder),
            what: "the judge")
        return try DefaultClassifiers.ensure(
            .judge, data: cleanTrain, audio: !settings.isImage, dataName: settings.dataName,
            cacheFolder: settings.cacheFolder, log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") }
        ).path
    }

    /// The examples of class `target`.
    static func targetSubset(_ data: ClassificationData, _ target: String) -> ClassificationData {
        let label = data.classNames.firstIndex(of: target) ?? -1
        return data.subset((0..<data.count).filter { data.labels[$0] == label })
    }

    /// A detector calibrated on the clean training examples of every class and on the variant's
    /// training examples of the target class, with its detection rows on held-out real examples
    /// (clean ones of every class, then the variant's target examples labelled `featureSource`).
    /// It logs them before any training: a detector that cannot tell real ones apart makes the
    /// rest pointless.
    static func detector(
        _ statistic: ContrastStatistic, markerRaises: Bool,
        clean: (train: ClassificationData, test: ClassificationData),
        featured: VariantData, featureSource: String, target: String, falsePositiveRate: Double,
        hooks: TrainingHooks
    ) throws -> (detector: MarkerDetector, realRows: [DetectionRow]) {
        let detector = try MarkerDetector(
            statistic: statistic, markerRaises: markerRaises, clean: clean.train.inputs,
            marked: targetSubset(featured.train, target).inputs, height: clean.train.height,
            width: clean.train.width, falsePositiveRate: falsePositiveRate)
        let cleanRows = RealDetection.rows(clean.test, source: cleanRealSource, detector: detector)
        let power = RealDetection.rows(featured.test, source: featureSource, detector: detector, classes: [target])
        hooks.log(
            String(format: "detector: threshold %.3f; held-out real examples: ", detector.threshold)
                + power.map { "\($0.className) with the feature \(ExperimentReportWriter.percent($0.detection))" }
                .joined() + "; clean "
                + cleanRows.map { "\($0.className) \(ExperimentReportWriter.percent($0.detection))" }.joined(
                    separator: ", "))
        return (detector, cleanRows + power)
    }

    /// The source label of the detection rows on clean real held-out examples.
    static let cleanRealSource = "real held-out, clean"

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

    /// The noise band detector's statistic: the bands whose centres lie in the band against bands
    /// three to six away on each side, over the whole clip.
    static func noiseBandStatistic(low: Double, high: Double) throws -> ContrastStatistic {
        let target = try bands(from: low, to: high)
        return ContrastStatistic(
            targetRows: target,
            referenceRows: [
                (target.lowerBound - 6)..<(target.lowerBound - 2), (target.upperBound + 2)..<(target.upperBound + 6),
            ])
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
                (target.lowerBound - 5)..<(target.lowerBound - 2), (target.upperBound + 2)..<(target.upperBound + 5),
            ], window: window)
    }
}
