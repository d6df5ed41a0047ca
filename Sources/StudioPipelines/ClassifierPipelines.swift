import Foundation
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioImage
import StudioModels
import StudioNN
import StudioSupport
import StudioTensor

/// Which network to build.
public enum ClassifierArchitecture: String, Sendable, Codable, CaseIterable {
    /// The compact residual CNN probed by ProbeGAN.
    case residual
    /// A plain conv-BN-ReLU CNN with max pooling, one convolution per stage.
    case plain
    /// A VGG-style CNN, two conv-BN-ReLU per stage and max pooling, no shortcuts: the independent
    /// judge's architecture.
    case vgg
}

/// Where examples come from.
public enum ClassifierDataSource: Sendable, Codable, Equatable {
    /// An audio corpus folder (class folders under train/ and test/).
    case audio(corpus: String)
    /// Fashion-MNIST from a folder (Debian's by default).
    case fashionMNIST(folder: String)
    /// CIFAR-10 binary batches.
    case cifar10(folder: String)
    /// PNG class folders with train/ and test/ levels.
    case pngFolders(folder: String)
}

/// A trained classifier's summary, written beside its checkpoint.
public struct ClassifierSummary: Sendable, Codable {
    /// Network, widths, budget, seed.
    public let architecture: ClassifierArchitecture, widths: [Int], robust: String, seed: UInt64
    /// Class names in label order.
    public let classNames: [String]
    /// Input layout.
    public let inputShape: [Int]
    /// Fingerprint of the training data (paths and labels), recorded to detect a changed corpus.
    public let dataHash: String
    /// Training curve.
    public let training: ClassifierTrainingReport
    /// The recipe that trained it (network, widths, every training setting, starting checkpoint);
    /// `nil` in checkpoints written before recipes were recorded.
    public var recipe: String? = nil
    /// What one input example is (the audio frontend, or the image data set); `nil` in checkpoints
    /// written before it was recorded.
    public var representation: String? = nil

    /// Why this classifier cannot read examples described by `other`, or `nil` when it can (or when
    /// either side does not say).
    public func representationConflict(with other: String?) -> String? {
        guard let representation, let other, representation != other else { return nil }
        return "it reads \(representation); here the inputs are \(other)"
    }
}

/// What `studio classifier evaluate` reports.
public struct ClassifierEvaluationReport: Sendable, Codable {
    /// Test examples (held-out speakers for audio).
    public let testCount: Int
    /// Clean accuracy, overall and per class.
    public let accuracy: Float
    /// Per-class accuracy, by class name.
    public let perClassAccuracy: [String: Float]
    /// `confusion[true][predicted]`.
    public let confusion: [[Int]]
    /// Accuracy under PGD-20 at the stated budget, if one was given.
    public let robustAccuracy: Float?
    /// The budget of `robustAccuracy`.
    public let attack: String
    /// Class names in label order.
    public let classNames: [String]
    /// Clean accuracy per speaker (by class, worst first); `nil` when examples have no speakers
    /// (image data, whose groups are the labels).
    public let perSpeaker: [GroupAccuracy]?
}

/// The classifier commands' work.
public enum ClassifierPipelines {
    /// Vocal tract length perturbation of the default frontend's 64 mel bands by up to `maximum`.
    public static func frequencyWarp(maximum: Float) throws -> FrequencyWarp {
        let mel = try MelFrontendConfiguration().mel
        return FrequencyWarp(
            bandFrequencies: mel.centerFrequencies.map { Float($0) }, nyquist: Float(mel.sampleRate) / 2,
            maximum: maximum)
    }

    /// Training and test data for a source. Audio becomes cached [-1, 1] log-mel images of the
    /// default frontend; test data is the held-out split (whole speakers for the default corpus).
    public static func data(
        _ source: ClassifierDataSource, cacheFolder: String,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> (train: ClassificationData, test: ClassificationData) {
        switch source {
        case .audio(let folder):
            let corpus = try Corpus.load(folder: folder)
            let cache = AudioFeatureCache(
                frontend: try MelFrontendConfiguration(), scaling: try LogMelScaling(),
                folder: URL(fileURLWithPath: cacheFolder).appendingPathComponent("features").path)
            let names = corpus.classNames
            func build(_ items: [CorpusItem]) throws -> ClassificationData {
                let images = try cache.features(for: items.map(\.path), progress: progress)
                return ClassificationData(
                    inputs: images.flatMap { $0 }, labels: items.map { names.firstIndex(of: $0.className)! },
                    groups: items.map(\.speaker), classNames: names, channels: 1, height: 64, width: 64,
                    representation: cache.representation)
            }
            let test = corpus.items(in: .test)
            guard !test.isEmpty else { throw CorpusError.noClasses(path: folder + "/test") }
            return (try build(corpus.items(in: .train)), try build(test))
        case .fashionMNIST(let folder):
            return (
                try classification(FashionMNIST.load(folder: folder, train: true), name: "Fashion-MNIST"),
                try classification(FashionMNIST.load(folder: folder, train: false), name: "Fashion-MNIST")
            )
        case .cifar10(let folder):
            return (
                try classification(CIFAR10.load(folder: folder, train: true), name: "CIFAR-10"),
                try classification(CIFAR10.load(folder: folder, train: false), name: "CIFAR-10")
            )
        case .pngFolders(let folder):
            return (
                try classification(PNGClassFolder.load(folder: folder + "/train"), name: "PNG class folders"),
                try classification(PNGClassFolder.load(folder: folder + "/test"), name: "PNG class folders")
            )
        }
    }

    static func classification(_ dataset: ImageDataset, name: String) -> ClassificationData {
        ClassificationData(
            inputs: dataset.pixels, labels: dataset.labels, classNames: dataset.classNames, channels: dataset.channels,
            height: dataset.height, width: dataset.width,
            representation: "\(name) pixels \(dataset.channels)x\(dataset.height)x\(dataset.width) in [-1, 1]")
    }

    /// A fresh network for the data's shape.
    public static func makeModel(
        _ architecture: ClassifierArchitecture, widths: [Int], channels: Int, classCount: Int, seed: UInt64
    ) -> any ImageClassifier {
        var generator = SplitMix64(seed: seed)
        switch architecture {
        case .residual:
            return ResidualClassifier(
                inputChannels: channels, classCount: classCount, widths: widths, using: &generator)
        case .plain, .vgg:
            return ConvolutionalClassifier(
                inputChannels: channels, classCount: classCount, widths: widths,
                convolutionsPerStage: architecture == .vgg ? 2 : 1, using: &generator)
        }
    }

    /// One line naming everything that shapes a trained classifier but its data; a starting
    /// checkpoint is named with the fingerprint of its bytes, so a retrained start is a new recipe.
    public static func recipe(
        architecture: ClassifierArchitecture, widths: [Int], configuration: ClassifierTrainingConfiguration,
        startingFrom initial: String?
    ) -> String {
        "\(architecture.rawValue) \(widths.map(String.init).joined(separator: ",")), \(configuration.recipe)"
            + (initial.map {
                ", starting from \(URL(fileURLWithPath: $0).lastPathComponent) (FNV-1a \(Fingerprint.ofFile($0)))"
            } ?? "")
    }

    /// Trains and writes `checkpoint` (safetensors, with the summary as metadata) and `checkpoint.json`.
    public static func train(
        data: ClassificationData, architecture: ClassifierArchitecture, widths: [Int],
        configuration: ClassifierTrainingConfiguration, startingFrom initial: String? = nil,
        checkpoint: String, progress: (Int, Int, Int) -> Void
    ) throws -> ClassifierSummary {
        let model = makeModel(
            architecture, widths: widths, channels: data.channels, classCount: data.classNames.count,
            seed: configuration.seed)
        if let initial {
            // Fine-tuning (e.g. adversarial fine-tuning of a regular classifier): same network, same classes.
            let (_, summary) = try load(checkpoint: initial)
            if let conflict = summary.representationConflict(with: data.representation) {
                throw CheckpointError.incompatible(path: initial, reason: conflict)
            }
            guard summary.classNames == data.classNames, summary.architecture == architecture,
                summary.widths == widths
            else {
                throw CheckpointError.incompatible(
                    path: initial,
                    reason:
                        "it is a \(summary.architecture.rawValue) \(summary.widths) network for \(summary.classNames); "
                        + "this run trains a \(architecture.rawValue) \(widths) network for \(data.classNames)")
            }
            try Checkpoint.read(from: initial).load(into: model, path: initial)
        }
        let report = try ClassifierTrainer.train(model, data: data, configuration: configuration, progress: progress)
        let summary = ClassifierSummary(
            architecture: architecture, widths: widths, robust: configuration.budget.description,
            seed: configuration.seed,
            classNames: data.classNames, inputShape: [data.channels, data.height, data.width],
            dataHash: dataHash(data), training: report,
            recipe: recipe(
                architecture: architecture, widths: widths, configuration: configuration, startingFrom: initial),
            representation: data.representation)
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: checkpoint).deletingLastPathComponent().path, withIntermediateDirectories: true
        )
        try Checkpoint(module: model, metadata: ["summary": json]).write(to: checkpoint)
        try AtomicFile.write(Data(json.utf8), to: checkpoint + ".json")
        return summary
    }

    /// The fingerprint of a training set (groups and labels, in order), recorded in a classifier's
    /// summary to notice a changed corpus.
    public static func dataHash(_ data: ClassificationData) -> String {
        Fingerprint.fnv1a64(
            zip(data.groups, data.labels).map { "\($0):\($1)" }.joined(separator: ",") + "#\(data.count)")
    }

    /// Loads a classifier checkpoint written by `train`.
    public static func load(checkpoint: String) throws -> (any ImageClassifier, ClassifierSummary) {
        let file = try Checkpoint.read(from: checkpoint)
        guard let json = file.metadata["summary"],
            let summary = try? JSONDecoder().decode(ClassifierSummary.self, from: Data(json.utf8))
        else {
            throw CheckpointError.incompatible(path: checkpoint, reason: "no classifier summary in its metadata")
        }
        let model = makeModel(
            summary.architecture, widths: summary.widths, channels: summary.inputShape[0],
            classCount: summary.classNames.count,
            seed: summary.seed)
        try file.load(into: model, path: checkpoint)
        model.setTraining(false)
        return (model, summary)
    }

    /// Clean, per-class and (optionally) PGD-20 robust accuracy on `test`, and a confusion-matrix PNG.
    public static func evaluate(
        model: any ImageClassifier, test: ClassificationData, attack: PerturbationBudget, confusionPNG: String?,
        attackProgress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> ClassifierEvaluationReport {
        let predicted = ClassifierEvaluation.predictions(model, data: test)
        let classes = test.classNames.count
        let confusion = ClassifierEvaluation.confusion(predicted: predicted, labels: test.labels, classCount: classes)
        var perClass = [String: Float]()
        for (label, name) in test.classNames.enumerated() {
            let total = confusion[label].reduce(0, +)
            perClass[name] = total > 0 ? Float(confusion[label][label]) / Float(total) : 0
        }
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        // Image data has no speakers: its groups are the labels (`ClassificationData`'s default).
        let hasSpeakers = zip(test.groups, test.labels).contains { $0 != "\($1)" }
        let speakers = hasSpeakers ? ClassifierEvaluation.groupAccuracies(predicted: predicted, data: test) : nil
        let robust =
            attack == .none
            ? nil
            : ClassifierEvaluation.robustAccuracy(
                model, data: test, attack: ProjectedGradientDescent(budget: attack, steps: 20),
                progress: attackProgress)
        if let confusionPNG {
            try ConfusionPicture.write(
                counts: confusion, rows: test.classNames, columns: test.classNames, xLabel: "predicted",
                to: confusionPNG)
        }
        return ClassifierEvaluationReport(
            testCount: test.count, accuracy: Float(correct) / Float(max(test.count, 1)), perClassAccuracy: perClass,
            confusion: confusion, robustAccuracy: robust, attack: attack.description, classNames: test.classNames,
            perSpeaker: speakers)
    }
}
