import Foundation
import StudioData
import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// A ProbeGAN run's state and its training iteration: `discriminatorSteps` D steps on fresh real
/// batches, one G step, the EMA update, and (every `evaluateEvery` iterations) the leak-free
/// selection evaluation. Everything random flows from one seeded generator whose state is saved,
/// so a run resumed from `checkpoint()` continues bit for bit.
public final class ProbeGANTrainer {
    /// The run's configuration.
    public let configuration: ProbeGANConfiguration
    /// The generator, the discriminator and the EMA generator used for sampling.
    public let generator: Generator, discriminator: Discriminator, emaGenerator: Generator
    /// The frozen classifier.
    public let classifier: any ImageClassifier
    /// The real training set: seen classes only (all classes for ORACLE).
    public let realData: ClassificationData
    /// Labels of generated samples.
    public let labelSampler: FakeLabelSampler
    let step: ProbeGANStep
    /// Data-parallel training: the steps of this process's shards (the first is `step`), and
    /// whether the copies must take `step`'s state before the next iteration.
    var shardSteps: [ProbeGANStep] = []
    var shardCopiesAreStale = false
    var selection = SelectionScore()
    var random: SplitMix64
    var realSampler: RealBatchSampler

    /// Iterations done.
    public private(set) var iteration = 0
    /// The selection bookkeeping: best score so far, its seen-class distance and iteration.
    public private(set) var best: (score: Float, seenDistance: Double?, iteration: Int)?
    /// Evaluations since the best score last improved.
    public private(set) var staleEvaluations = 0
    /// Training wall time before this process, from the checkpoint (seconds).
    public private(set) var previousSeconds: Double = 0

    /// One iteration's losses.
    public struct IterationRecord: Sendable, Codable {
        /// The iteration number (1-based).
        public let iteration: Int
        /// The last D step's losses and the G step's.
        public let discriminator: ProbeGANStep.DiscriminatorLosses, generator: ProbeGANStep.GeneratorLosses
    }

    /// Checks the data against the configuration and builds the models.
    public init(
        configuration: ProbeGANConfiguration, realData: ClassificationData, classifier: any ImageClassifier
    ) throws {
        let names = configuration.classNames
        guard realData.classNames == names else {
            throw ProbeGANError.classifierMismatch(
                reason: "the classifier knows \(names), the data has \(realData.classNames)")
        }
        guard configuration.unseen.count < names.count || configuration.method == .oracle else {
            throw ProbeGANError.everyClassUnseen(classes: names)
        }
        if configuration.method != .oracle, configuration.unseen.isEmpty {
            throw ProbeGANError.noUnseenClass(method: configuration.method.rawValue)
        }
        try configuration.checkMemory()
        let seen = Set(configuration.seen)
        if let leaked = realData.labels.first(where: { !seen.contains($0) }) {
            // The target-absence guarantee: a real example of an unseen class never enters training.
            throw ProbeGANError.unseenClassInRealData(name: names[leaked])
        }
        for label in configuration.seen where !realData.labels.contains(label) {
            throw ProbeGANError.classWithoutData(name: names[label])
        }
        self.configuration = configuration
        self.realData = realData
        self.classifier = classifier
        generator = ProbeGANModels.generator(configuration, seed: configuration.seed)
        emaGenerator = ProbeGANModels.copy(generator, configuration)
        discriminator = ProbeGANModels.discriminator(configuration, seed: configuration.seed &+ 1)
        labelSampler = FakeLabelSampler(configuration: configuration)
        step = Self.makeStep(
            configuration, generator: generator, discriminator: discriminator, classifier: classifier,
            labelSampler: labelSampler)
        random = SplitMix64(seed: configuration.seed &+ 2)
        realSampler = RealBatchSampler(count: realData.count, seed: configuration.seed &+ 3)
        selection.seenReference = SelectionScore.reference(
            data: realData, classifier: classifier, seed: configuration.seed &+ 4)
    }

    /// A training step over `generator` and `discriminator` with fresh optimisers.
    static func makeStep(
        _ configuration: ProbeGANConfiguration, generator: Generator, discriminator: Discriminator,
        classifier: any ImageClassifier, labelSampler: FakeLabelSampler
    ) -> ProbeGANStep {
        ProbeGANStep(
            generator: generator, discriminator: discriminator, classifier: classifier, method: configuration.method,
            labelSampler: labelSampler, seenClasses: Set(configuration.seen),
            generatorOptimizer: Adam(learningRate: configuration.generatorLearningRate, beta1: 0, beta2: 0.999),
            discriminatorOptimizer: Adam(
                learningRate: configuration.discriminatorLearningRate, beta1: 0, beta2: 0.999),
            penaltyWeight: configuration.penaltyWeight, classifierWeight: configuration.classifierWeight,
            seenClassifierWeight: configuration.seenClassifierWeight, augmentation: configuration.augmentation)
    }

    /// True when the iteration budget is spent or the stopping rule fired.
    public var isFinished: Bool {
        iteration >= configuration.iterations
            || (configuration.patience > 0 && staleEvaluations >= configuration.patience)
    }

    /// Runs one iteration. A NaN or exploding loss throws `ProbeGANError.diverged` (state then
    /// partly updated: restore the last checkpoint).
    public func trainIteration() throws -> IterationRecord {
        var discriminatorLosses: ProbeGANStep.DiscriminatorLosses?
        do {
            let generatorLosses: ProbeGANStep.GeneratorLosses
            if shardSteps.isEmpty {
                for _ in 0..<configuration.discriminatorSteps {
                    let (real, labels) = realData.batch(realSampler.next(configuration.batchSize))
                    discriminatorLosses = try step.discriminatorStep(real: real, realLabels: labels, using: &random)
                }
                generatorLosses = try step.generatorStep(batch: configuration.batchSize, using: &random)
            } else {
                for _ in 0..<configuration.discriminatorSteps {
                    let indices = realSampler.next(configuration.batchSize)
                    discriminatorLosses = try runShards { step, random in
                        let (real, labels) = self.realData.batch(step.shardRows(indices))
                        return try step.discriminatorStep(real: real, realLabels: labels, using: &random)
                    }
                }
                generatorLosses = try runShards { step, random in
                    try step.generatorStep(batch: self.configuration.batchSize, using: &random)
                }
            }
            iteration += 1
            let record = IterationRecord(
                iteration: iteration, discriminator: discriminatorLosses!, generator: generatorLosses)
            try Self.check(record)
            let decay = iteration <= configuration.emaStart ? 0 : configuration.emaDecay
            ExponentialMovingAverage(decay: decay).update(shadow: emaGenerator, from: generator)
            return record
        } catch let error as OptimizerError {
            throw ProbeGANError.diverged(iteration: iteration + 1, detail: error.description)
        }
    }

    /// Losses beyond this magnitude count as an explosion.
    static let explodingLoss: Float = 1e5

    static func check(_ record: IterationRecord) throws {
        let values: [(String, Float)] = [
            ("D hinge", record.discriminator.hinge), ("D WGAN", record.discriminator.wasserstein),
            ("gradient penalty", record.discriminator.penalty), ("G total", record.generator.total),
        ]
        for (name, value) in values where !value.isFinite || abs(value) > explodingLoss {
            throw ProbeGANError.diverged(iteration: record.iteration, detail: "\(name) loss is \(value)")
        }
    }

    /// True when this iteration is due for an evaluation.
    public var isEvaluationDue: Bool {
        iteration % configuration.evaluateEvery == 0 || isFinished
    }

    /// The classes the generator is trained to render (every class the label sampler draws).
    public var renderedClasses: [Int] { (labelSampler.seen + labelSampler.unseen).sorted() }

    /// The EMA generator prepared for sampling (standing statistics).
    public func samplingGenerator() -> Generator {
        GeneratorSampling.prepared(emaGenerator, configuration: configuration)
    }

    /// Gives the selection the modality's model-free measure of the seen classes: measured and
    /// logged at every evaluation, and breaking near-ties when the configuration's
    /// `selectionFidelity` is `.speechLikeness`. Training itself never reads it.
    public func attach(fidelity: any SeenClassFidelity) {
        selection.fidelity = fidelity
        selection.fidelityBreaksTies = configuration.selectionFidelity == .speechLikeness
    }

    /// The leak-free selection evaluation of the EMA generator; updates the best score and the
    /// stopping rule's count. Samples are returned for reports.
    /// - Throws: `ProbeGANError.missingFidelity` when the configuration selects by a model-free
    ///   measure and none was attached; what that measure throws.
    public func evaluate() throws -> (
        result: SelectionScore.Result, samples: [Tensor?], isBest: Bool, samplingGenerator: Generator
    ) {
        let sampling = samplingGenerator()
        let rendered = Set(renderedClasses)
        let samples: [Tensor?] = configuration.classNames.indices.map { label in
            rendered.contains(label)
                ? GeneratorSampling.samples(
                    sampling, label: label, count: configuration.evaluationSamples,
                    seed: configuration.seed &+ UInt64(label) &* 7919)
                : nil
        }
        if configuration.selectionFidelity == .speechLikeness && selection.fidelity == nil {
            throw ProbeGANError.missingFidelity(selection: SelectionFidelity.speechLikeness.rawValue)
        }
        let result = try selection.evaluate(
            samples: samples, classifier: classifier, seed: configuration.seed &+ UInt64(iteration))
        let isBest = result.isImprovement(
            over: best.map { ($0.score, $0.seenDistance) }, tolerance: selection.tolerance)
        if isBest {
            best = (result.score, result.meanSeenDistance, iteration)
            staleEvaluations = 0
        } else {
            staleEvaluations += 1
        }
        return (result, samples, isBest, sampling)
    }

    /// Everything needed to continue: weights, optimiser moments, random state, sampler position,
    /// selection bookkeeping, wall time.
    public func checkpoint(elapsedSeconds: Double) throws -> Checkpoint {
        var tensors = [String: Tensor]()
        func add(_ prefix: String, _ more: [String: Tensor]) {
            for (name, tensor) in more { tensors[prefix + name] = tensor }
        }
        add("generator.", Checkpoint(module: generator).tensors)
        add("discriminator.", Checkpoint(module: discriminator).tensors)
        add("ema.", Checkpoint(module: emaGenerator).tensors)
        let g = step.generatorOptimizer.state(of: generator.namedParameters())
        let d = step.discriminatorOptimizer.state(of: discriminator.namedParameters())
        add("adam_g.", g.tensors)
        add("adam_d.", d.tensors)
        return Checkpoint(
            tensors: tensors,
            metadata: try metadata(
                generatorSteps: g.step, discriminatorSteps: d.step, elapsedSeconds: elapsedSeconds))
    }

    /// The configuration and scalar state as checkpoint metadata (also stored with the selected generator).
    public func metadata(elapsedSeconds: Double) throws -> [String: String] {
        try metadata(
            generatorSteps: step.generatorOptimizer.step, discriminatorSteps: step.discriminatorOptimizer.step,
            elapsedSeconds: elapsedSeconds)
    }

    func metadata(generatorSteps: Int, discriminatorSteps: Int, elapsedSeconds: Double) throws -> [String: String] {
        let state = TrainerState(
            iteration: iteration, random: random.state, realDrawn: realSampler.drawn, generatorSteps: generatorSteps,
            discriminatorSteps: discriminatorSteps, bestScore: best?.score, bestIteration: best?.iteration,
            bestSeenDistance: best?.seenDistance, staleEvaluations: staleEvaluations,
            elapsedSeconds: previousSeconds + elapsedSeconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [
            "configuration": String(decoding: try encoder.encode(configuration), as: UTF8.self),
            "state": String(decoding: try encoder.encode(state), as: UTF8.self),
        ]
    }

    /// The configuration stored in a checkpoint.
    public static func configuration(in checkpoint: Checkpoint, path: String) throws -> ProbeGANConfiguration {
        guard let json = checkpoint.metadata["configuration"],
            let configuration = try? JSONDecoder().decode(ProbeGANConfiguration.self, from: Data(json.utf8))
        else { throw ProbeGANError.noCheckpoint(path: path) }
        return configuration
    }

    /// Training wall time recorded in a checkpoint (every stretch of a resumed run), seconds.
    public static func elapsedSeconds(in checkpoint: Checkpoint) -> Double? {
        guard let json = checkpoint.metadata["state"],
            let state = try? JSONDecoder().decode(TrainerState.self, from: Data(json.utf8))
        else { return nil }
        return state.elapsedSeconds
    }

    /// The iteration a checkpoint was written at (nil: not a training checkpoint).
    public static func iteration(in checkpoint: Checkpoint) -> Int? {
        guard let json = checkpoint.metadata["state"],
            let state = try? JSONDecoder().decode(TrainerState.self, from: Data(json.utf8))
        else { return nil }
        return state.iteration
    }

    /// Continues from `checkpoint`, which must have been written with the same configuration
    /// (the iteration budget and patience may differ).
    public func restore(from checkpoint: Checkpoint, path: String) throws {
        var saved = try Self.configuration(in: checkpoint, path: path)
        saved.iterations = configuration.iterations
        saved.patience = configuration.patience
        guard saved == configuration else {
            throw ProbeGANError.checkpointMismatch(path: path)
        }
        guard let json = checkpoint.metadata["state"],
            let state = try? JSONDecoder().decode(TrainerState.self, from: Data(json.utf8))
        else { throw ProbeGANError.noCheckpoint(path: path) }
        func part(_ prefix: String) -> Checkpoint {
            var tensors = [String: Tensor]()
            for (name, tensor) in checkpoint.tensors where name.hasPrefix(prefix) {
                tensors[String(name.dropFirst(prefix.count))] = tensor
            }
            return Checkpoint(tensors: tensors)
        }
        try part("generator.").load(into: generator, path: path)
        try part("discriminator.").load(into: discriminator, path: path)
        try part("ema.").load(into: emaGenerator, path: path)
        try step.generatorOptimizer.restore(
            step: state.generatorSteps, tensors: part("adam_g.").tensors, of: generator.namedParameters())
        try step.discriminatorOptimizer.restore(
            step: state.discriminatorSteps, tensors: part("adam_d.").tensors, of: discriminator.namedParameters())
        iteration = state.iteration
        random = SplitMix64(seed: state.random)
        realSampler = RealBatchSampler(count: realData.count, seed: configuration.seed &+ 3, drawn: state.realDrawn)
        best = state.bestScore.map { ($0, state.bestSeenDistance, state.bestIteration ?? 0) }
        staleEvaluations = state.staleEvaluations
        previousSeconds = state.elapsedSeconds
        shardCopiesAreStale = true
    }
}

/// The scalar part of a training checkpoint.
struct TrainerState: Codable {
    var iteration: Int
    var random: UInt64
    var realDrawn: Int
    var generatorSteps: Int, discriminatorSteps: Int
    var bestScore: Float?, bestIteration: Int?
    var bestSeenDistance: Double?
    var staleEvaluations: Int
    var elapsedSeconds: Double
}
