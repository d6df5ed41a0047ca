import Foundation
import StudioClassifiers
import StudioData
import StudioModels

/// A panel of independent judges: five classifiers that differ in architecture family (VGG-style,
/// residual, plain), widths, augmentation, seed and how their final weights are chosen, so that a
/// verdict on generated clips does not rest on one network's blind spots. Every member is trained on
/// the training split only (the test speakers never reach it), cached on first use like the default
/// judge, and used for evaluation only: no member takes part in training, selection or stopping.
public enum JudgePanel {
    /// One member's recipe.
    public struct Member: Sendable, Equatable {
        /// Its name (the cache file is `DATA-NAME.safetensors`).
        public let name: String
        /// Network family and stage widths.
        public let architecture: ClassifierArchitecture, widths: [Int]
        /// Seed of its initialisation and data order.
        public let seed: UInt64
        /// Mixup alpha (0: none) and, for audio, the vocal tract length perturbation (0: none).
        public let mixup: Float, frequencyWarp: Float
        /// How its weights are chosen: `.earlyStopping` keeps the epoch that scores best on 15% of
        /// the training speakers held back; `.weightAverage` trains on every training speaker for the
        /// whole schedule and keeps the average of the last five epochs' weights.
        public var selection: Selection = .earlyStopping
    }

    /// How a member's final weights are chosen.
    public enum Selection: String, Sendable, Equatable {
        /// The best epoch on held-back training speakers.
        case earlyStopping
        /// The average of the last five epochs, every training speaker trained on.
        case weightAverage
    }

    /// The members. The first is the default judge itself (same recipe, same cache file).
    public static let members = [
        Member(name: "judge", architecture: .vgg, widths: [16, 32, 64, 128], seed: 1000, mixup: 0.2, frequencyWarp: 0),
        Member(
            name: "judge-residual", architecture: .residual, widths: [32, 64, 128], seed: 2000, mixup: 0,
            frequencyWarp: 0.1, selection: .weightAverage),
        Member(
            name: "judge-plain", architecture: .plain, widths: [32, 64, 128, 128], seed: 3000, mixup: 0.2,
            frequencyWarp: 0, selection: .weightAverage),
        Member(
            name: "judge-vgg-wide", architecture: .vgg, widths: [24, 48, 96, 192], seed: 4000, mixup: 0,
            frequencyWarp: 0.1, selection: .weightAverage),
        Member(
            name: "judge-residual-narrow", architecture: .residual, widths: [16, 32, 64, 128], seed: 5000,
            mixup: 0.2, frequencyWarp: 0.05),
    ]

    /// A trained member.
    public struct Judge: @unchecked Sendable {
        /// Its recipe, network, summary and checkpoint.
        public let member: Member, model: any ImageClassifier, summary: ClassifierSummary, path: String
    }

    /// Loads every member, training (once) the ones missing or trained on other data or by another
    /// recipe. `epochs` overrides every member's epoch budget (tests, quick looks).
    public static func ensure(
        data: ClassificationData, audio: Bool, dataName: String, cacheFolder: String, epochs: Int? = nil,
        log: (String) -> Void, progress: @escaping (String, Int, Int) -> Void
    ) throws -> [Judge] {
        let trained = try trainingOrder.map { index in
            try member(
                index, data: data, audio: audio, dataName: dataName, cacheFolder: cacheFolder, epochs: epochs, log: log,
                progress: progress)
        }
        return members.indices.map { index in trained[trainingOrder.firstIndex(of: index)!] }
    }

    /// The order members train in: the default judge last, so that a training run still making
    /// it is then likely done.
    static let trainingOrder = Array(members.indices.dropFirst()) + [0]

    /// Loads member `index`, training it (once) when it is missing or was trained on other data or
    /// by another recipe. `epochs` overrides its epoch budget (tests, quick looks).
    public static func member(
        _ index: Int, data: ClassificationData, audio: Bool, dataName: String, cacheFolder: String, epochs: Int?,
        log: (String) -> Void, progress: @escaping (String, Int, Int) -> Void
    ) throws -> Judge {
        let member = members[index]
        if member.name == "judge" && epochs == nil {
            let judge = try DefaultClassifiers.ensure(
                .judge, data: data, audio: audio, dataName: dataName, cacheFolder: cacheFolder, epochs: epochs,
                log: log, progress: progress)
            return Judge(member: member, model: judge.model, summary: judge.summary, path: judge.path)
        }
        var configuration = ClassifierTrainingConfiguration()
        configuration.weightDecay = 5e-4
        configuration.seed = member.seed
        configuration.validationFraction = 0.15
        configuration.epochs = epochs ?? (audio ? 20 : 6)
        configuration.patience = audio ? 8 : 3
        if member.selection == .weightAverage {
            configuration.validationFraction = 0
            configuration.averagingStart = max(1, configuration.epochs - 4)
        }
        if member.mixup > 0 { configuration.mixup = Mixup(alpha: member.mixup) }
        if audio {
            var augmentation = SpectrogramAugmentation()
            if member.frequencyWarp > 0 {
                augmentation.frequencyWarp = try ClassifierPipelines.frequencyWarp(maximum: member.frequencyWarp)
            }
            configuration.augmentation = augmentation
        }
        // A budget override keeps its judges apart, so it never displaces the cached defaults.
        let suffix = epochs.map { "-epochs\($0)" } ?? ""
        let path = URL(fileURLWithPath: cacheFolder).appendingPathComponent(
            "classifiers/\(dataName)-\(member.name)\(suffix).safetensors"
        ).path
        let trained = try DefaultClassifiers.loadOrTrain(
            path: path, name: member.name, isJudge: true, data: data, architecture: member.architecture,
            widths: member.widths, configuration: configuration, startingFrom: nil, log: log, progress: progress)
        return Judge(member: member, model: trained.model, summary: trained.summary, path: trained.path)
    }
}
