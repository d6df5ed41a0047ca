import Foundation
import ProbeGAN
import StudioClassifiers
import StudioData
import StudioEvaluation
import StudioModels
import StudioPipelines
import StudioTensor

/// One arm of a controlled experiment: which classifier is probed and what the GAN trains on.
public struct ExperimentArm: Sendable, Codable, Equatable {
    /// Folder name under `runs/`.
    public var name: String
    /// What the arm is, for the report.
    public var title: String
    /// The data the GAN trains on: a corpus folder (audio) or the picture data's folder.
    public var ganData: String
    /// Image mode: the variant applied to the GAN's data (nil: clean).
    public var ganVariant: ImageDataVariant?
    /// ProbeGAN, or ORACLE when the arm deliberately puts the target class into the GAN's data.
    public var method: ProbeGANMethod
    /// The probed classifier's checkpoint.
    public var classifierPath: String
    /// True when the target class's real clips are in the GAN's data (the absence constraint broken on purpose).
    public var absenceViolated: Bool
    /// The GAN's training seed (nil: the experiment's `firstGANSeed`).
    public var ganSeed: UInt64? = nil
    /// For a replicate, the arm it repeats with another GAN seed (nil: an arm of its own).
    public var replicateOf: String? = nil

    /// The same arm trained again with GAN seed `seed`, in its own folder `NAME-seedSEED`.
    func replicate(seed: UInt64) -> ExperimentArm {
        var copy = self
        copy.name = "\(name)-seed\(seed)"
        copy.title = "\(title) (again, GAN seed \(seed))"
        copy.ganSeed = seed
        copy.replicateOf = name
        return copy
    }

    /// Trains the arm's GAN in `runs/NAME`: continues an interrupted run, keeps a finished one, and
    /// continues a finished one to a larger `--iterations` (a resumed run repeats a longer run's first
    /// iterations bit for bit, and `ExperimentSettings.claimFolder` allows it only from a multiple of
    /// the evaluation interval, so the result is the same as training to the larger budget at once).
    /// An arm its stopping rule ended early stays as it is.
    func run(_ settings: ExperimentSettings, judgePath: String, hooks: TrainingHooks) throws -> RunSummary {
        let folder = RunFolder(settings.path("runs/\(name)"))
        let unfinished = ExperimentError.badSetting(
            name: "--generator last",
            reason: "the arm '\(name)' has not finished \(settings.iterations) iterations (\(folder.path)); run the "
                + "same command without --generator last to finish it first")
        if let data = FileManager.default.contents(atPath: folder.summary),
            let summary = try? JSONDecoder().decode(RunSummary.self, from: data)
        {
            try checkStillValid(folder, judgePath: judgePath)
            let stoppedByBudget = summary.stopReason == TrainingRun.budgetStopReason(summary.iterations)
            if settings.isLastGeneratorDiagnostic {
                // Measured as it stands, never continued: finished, or ended by its stopping rule.
                guard summary.iterations >= settings.iterations || !stoppedByBudget else { throw unfinished }
                return summary
            }
            guard summary.iterations < settings.iterations else {
                hooks.log("\(name): finished earlier (\(folder.path)); kept")
                return summary
            }
            guard stoppedByBudget else {
                hooks.log("\(name): stopped earlier by \(summary.stopReason) at \(summary.iterations) iterations; kept")
                return summary
            }
            hooks.log(
                "\(name): finished earlier at \(summary.iterations) iterations; continuing to \(settings.iterations)")
            // Set aside, so that an interrupted continuation is resumed, not taken for finished.
            let shorter = folder.file("summary-\(summary.iterations)-iterations.json")
            try? FileManager.default.removeItem(atPath: shorter)
            try FileManager.default.moveItem(atPath: folder.summary, toPath: shorter)
        }
        guard !settings.isLastGeneratorDiagnostic else { throw unfinished }
        var request = TrainingRequest(
            source: settings.isImage ? .fashionMNIST(folder: ganData) : .audio(corpus: ganData),
            cacheFolder: settings.cacheFolder, unseen: [settings.target], runFolder: folder.path)
        request.imageVariant = ganVariant
        request.method = method
        request.preset = .quick
        request.classifier = .path(classifierPath)
        request.judgePath = judgePath
        request.seed = ganSeed ?? settings.firstGANSeed
        request.iterations = settings.iterations
        request.classifierWeight = settings.classifierWeight
        request.evaluateEvery = settings.evaluateEvery
        request.summarySamples = settings.samples
        request.channelBase = settings.channelBase
        request.batchSize = settings.batchSize
        request.evaluationSamples = settings.evaluationSamples
        let resume = FileManager.default.fileExists(atPath: folder.lastCheckpoint)
        hooks.log("\(name): \(title) (\(resume ? "resuming" : "training") \(folder.path))")
        do {
            return try TrainingRun.run(request, resume: resume, hooks: hooks)
        } catch RunError.interrupted(let iteration, _) {
            // `studio train --resume` would continue the arm outside the experiment; the
            // experiment's own command is the way back.
            throw ExperimentError.interrupted(
                arms: [.init(name: name, iteration: iteration)], folder: settings.outputFolder)
        }
    }

    /// A kept run must have used this arm's classifier and judge, and neither may have been
    /// retrained since the run started.
    func checkStillValid(_ folder: RunFolder, judgePath: String) throws {
        let resolved = try folder.readResolvedConfiguration()
        func modified(_ path: String) -> Date { modificationDate(path) ?? .distantFuture }
        let started = modified(folder.configuration)
        for (role, used, wanted) in [
            ("classifier", resolved.classifierPath, classifierPath), ("judge", resolved.judgePath, judgePath),
        ] {
            guard used == wanted else {
                throw ExperimentError.staleArm(
                    arm: name, folder: folder.path, reason: "used the \(role) \(used), the experiment now has \(wanted)"
                )
            }
            guard modified(wanted) <= started else {
                throw ExperimentError.staleArm(
                    arm: name, folder: folder.path, reason: "predates the \(role) \(wanted), which was retrained since")
            }
        }
    }

    /// What an arm's generator rendered for the detector.
    struct Rendered {
        /// The run's class names, and the iteration the measured generator holds.
        var classNames: [String], iteration: Int
        /// Samples `[count, C, H, W]` of every class the arm renders.
        var samples: [(label: Int, images: Tensor)]
        /// The judge's recognition per label, for a generator the run's summary did not judge
        /// (`--generator last`); nil: the summary's numbers hold.
        var judgeRecognition: [Int: Float]?
    }

    /// The selected generator's samples (or the last one's, for `--generator last`), from the
    /// same latents either way. The last generator is judged here as the run's summary judged
    /// the selected one: on `settings.samples` samples per class from the summary's latents.
    func render(_ settings: ExperimentSettings, judgePath: String) throws -> Rendered {
        let folder = RunFolder(settings.path("runs/\(name)"))
        let (configuration, selectedIteration) = try folder.readRun()
        let (generator, iteration) =
            settings.isLastGeneratorDiagnostic
            ? try folder.loadLastGenerator() : (try folder.loadBestGenerator(configuration), selectedIteration)
        let samples = configuration.finalClasses.map { label in
            (
                label,
                GeneratorSampling.samples(
                    generator, label: label, count: settings.samples, seed: settings.seed &+ 0xDE7E &+ UInt64(label))
            )
        }
        var recognition: [Int: Float]?
        if settings.isLastGeneratorDiagnostic {
            let judge = try ClassifierPipelines.load(checkpoint: judgePath).0
            judge.detachParameters()
            recognition = Dictionary(
                uniqueKeysWithValues: configuration.finalClasses.map { label in
                    let images = GeneratorSampling.samples(
                        generator, label: label, count: settings.samples,
                        seed: RunEvaluation.summarySeed(configuration, label: label))
                    return (label, SelectionScore.share(judge.logits(images), label: label))
                })
        }
        return Rendered(
            classNames: configuration.classNames, iteration: iteration, samples: samples,
            judgeRecognition: recognition)
    }
}

/// The detector's verdict on one set of clips.
public struct DetectionRow: Sendable, Codable, Equatable {
    /// Where the clips come from (an arm's name, or `real held-out (clean)` and the like).
    public var source: String
    /// Their class.
    public var className: String
    /// Share of clips in which the detector finds the feature, with a Wilson 95% interval.
    public var detection: WilsonInterval
    /// Mean of the detector's statistic.
    public var meanStatistic: Float
    /// The judge's recognition of the class (generated clips only; from the run's summary).
    public var judgeRecognition: Float?
    /// The detector's statistic of every clip (for differences of means between sets).
    public var statistics: [Float]? = nil
}

/// A probed classifier's held-out accuracy on the clean and on the variant test clips: how much it
/// leans on the planted feature.
public struct ClassifierCheck: Sendable, Codable, Equatable {
    /// Which classifier.
    public var name: String
    /// Its checkpoint and the corpus it was trained on.
    public var path: String, trainedOn: String
    /// Target-class accuracy on clean held-out clips and on the same clips with the feature.
    public var targetAccuracyClean: Float, targetAccuracyWithFeature: Float
    /// Overall accuracy on clean held-out clips.
    public var accuracyClean: Float
}

/// Real clips through the same detector.
enum RealDetection {
    /// One row per class of `data`, labelled `source`.
    static func rows(_ data: ClassificationData, source: String, detector: MarkerDetector, classes: [String]? = nil)
        -> [DetectionRow]
    {
        data.classNames.enumerated().compactMap { label, name in
            if let classes, !classes.contains(name) { return nil }
            let indices = (0..<data.count).filter { data.labels[$0] == label }
            guard !indices.isEmpty else { return nil }
            let (rate, mean, values) = detector.detectionRate(
                data.batch(indices).0.scalars, height: data.height, width: data.width)
            return DetectionRow(
                source: source, className: name, detection: rate, meanStatistic: mean, statistics: values)
        }
    }

    /// Accuracy on the target class and overall on clean held-out data, and on the target class
    /// when every held-out target clip carries the feature (`featureTest`).
    static func check(
        name: String, path: String, trainedOn: String, model: any ImageClassifier, cleanTest: ClassificationData,
        featureTest: ClassificationData, target: String
    ) throws -> ClassifierCheck {
        let clean = try ClassifierPipelines.evaluate(model: model, test: cleanTest, attack: .none, confusionPNG: nil)
        let featured = try ClassifierPipelines.evaluate(
            model: model, test: featureTest, attack: .none, confusionPNG: nil)
        return ClassifierCheck(
            name: name, path: path, trainedOn: trainedOn, targetAccuracyClean: clean.perClassAccuracy[target] ?? 0,
            targetAccuracyWithFeature: featured.perClassAccuracy[target] ?? 0, accuracyClean: clean.accuracy)
    }
}
