import Foundation
import StudioData
import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// Errors of classifier training.
public enum ClassifierError: Error, CustomStringConvertible {
    /// The loss became NaN or infinite.
    case diverged(epoch: Int, batch: Int)
    /// Not enough data.
    case tooLittleData(reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .diverged(let epoch, let batch):
            return "training diverged (NaN loss) at epoch \(epoch), batch \(batch); lower --learning-rate"
        case .tooLittleData(let reason):
            return "not enough data to train: \(reason)"
        }
    }
}

/// How to train a classifier.
public struct ClassifierTrainingConfiguration: Sendable {
    /// Maximum epochs.
    public var epochs = 30
    /// Examples per step.
    public var batchSize = 64
    /// Adam's step size.
    public var learningRate: Float = 1e-3
    /// Epochs without validation improvement before stopping.
    public var patience = 4
    /// Share of training groups (speakers) held out for validation and early stopping. 0: every
    /// training example trains and nothing validates (no early stopping; the last epoch, or the
    /// weight average, is kept), for recipes that select nothing on validation accuracy.
    public var validationFraction = 0.15
    /// Adversarial training budget (`.none`: regular training).
    public var budget = PerturbationBudget.none
    /// PGD steps during adversarial training.
    public var attackSteps = 7
    /// Seed of every random choice.
    public var seed: UInt64 = 0
    /// Spectrogram augmentation of training batches (log-mel inputs only).
    public var augmentation: SpectrogramAugmentation? = nil
    /// Adam's L2 weight decay.
    public var weightDecay: Float = 0
    /// First epoch (1-based) whose parameters join a plain running average (stochastic weight
    /// averaging, Izmailov et al., UAI 2018); `nil`: no averaging. After training, the average
    /// gets fresh batch-norm statistics and is kept whenever it covers at least two epochs; its
    /// validation accuracy is reported, not compared. Comparing it with the best of many noisy
    /// epochs would pick by the noise of a small validation split: the maximum of twenty noisy
    /// numbers beats one unpicked number even when the unpicked model is the better one.
    public var averagingStart: Int? = nil
    /// Mixup of training batches (`nil`: none).
    public var mixup: Mixup? = nil

    /// Defaults.
    public init() {}

    /// Every setting that shapes the trained parameters, as one line. Recorded beside a checkpoint,
    /// it tells a cache that its classifier came from another recipe.
    public var recipe: String {
        var parts = [
            "epochs \(epochs)", "batch \(batchSize)", "learning rate \(learningRate)", "patience \(patience)",
            "validation share \(validationFraction)", "weight decay \(weightDecay)", "seed \(seed)",
        ]
        if budget != .none { parts.append("PGD-\(attackSteps) \(budget)") }
        if let augmentation {
            parts.append("augmentation (\(augmentation.summary))")
        }
        if let averagingStart { parts.append("weight average from epoch \(averagingStart)") }
        if let mixup { parts.append("mixup \(mixup.alpha)") }
        return parts.joined(separator: ", ")
    }
}

/// Random changes to [-1, 1] log-mel training images that keep the class: a gain change (a constant
/// shift in log units), a circular time shift, optionally a warp of the frequency axis
/// (`FrequencyWarp`), and SpecAugment masks (Park et al., Interspeech
/// 2019) of a band of frequencies and a span of frames, filled with silence (-1).
public struct SpectrogramAugmentation: Sendable {
    /// Largest gain change in [-1, 1] units (0.1 is 6.5 dB with the default mapping).
    public var gain: Float = 0.1
    /// Largest frequency mask, in mel bands.
    public var frequencyMask = 8
    /// Largest time mask, in frames.
    public var timeMask = 8
    /// Vocal tract length perturbation of the frequency axis (off by default).
    public var frequencyWarp: FrequencyWarp? = nil

    /// The defaults.
    public init() {}

    /// The settings, as they appear in a classifier's recipe line.
    public var summary: String {
        var text = "gain \(gain), masks \(frequencyMask) bands, \(timeMask) frames"
        if let frequencyWarp { text += ", frequency warp \(frequencyWarp.maximum)" }
        return text
    }

    /// Augments a batch `[N, 1, bands, frames]` in place.
    public func apply(_ values: inout [Float], count: Int, bands: Int, frames: Int, using random: inout SplitMix64) {
        let size = bands * frames
        precondition(
            frequencyWarp.map { $0.bandFrequencies.count == bands } ?? true,
            "SpectrogramAugmentation: the frequency warp knows \(frequencyWarp?.bandFrequencies.count ?? 0) bands, the images have \(bands)"
        )
        for example in 0..<count {
            let base = example * size
            let shift = Int(random.next() % UInt64(frames))
            let offset = (2 * random.nextUnitFloat() - 1) * gain
            let rows = frequencyWarp.map { $0.sourceRows(factor: $0.drawFactor(using: &random)) }
            let original = Array(values[base..<(base + size)])
            for band in 0..<bands {
                let (lower, weight) = rows?[band] ?? (band, 0)
                let upper = min(lower + 1, bands - 1)
                for frame in 0..<frames {
                    let column = (frame + shift) % frames
                    var value = original[lower * frames + column]
                    if weight > 0 { value += weight * (original[upper * frames + column] - value) }
                    values[base + band * frames + frame] = value <= -1 ? -1 : min(1, value + offset)
                }
            }
            let maskBands = Int(random.next() % UInt64(frequencyMask + 1))
            let firstBand = Int(random.next() % UInt64(max(bands - maskBands, 1)))
            for band in firstBand..<min(bands, firstBand + maskBands) {
                for frame in 0..<frames { values[base + band * frames + frame] = -1 }
            }
            let maskFrames = Int(random.next() % UInt64(timeMask + 1))
            let firstFrame = Int(random.next() % UInt64(max(frames - maskFrames, 1)))
            for band in 0..<bands {
                for frame in firstFrame..<min(frames, firstFrame + maskFrames) {
                    values[base + band * frames + frame] = -1
                }
            }
        }
    }
}

/// What training did, epoch by epoch.
public struct ClassifierTrainingReport: Sendable, Codable {
    /// Mean training loss per epoch.
    public var trainLoss: [Float] = []
    /// Validation accuracy per epoch: clean, or under the training attack for adversarial training
    /// (empty without a validation split).
    public var validationAccuracy: [Float] = []
    /// The best single epoch (1-based; the last without a validation split); its parameters are
    /// kept unless `keptAverage` is true.
    public var bestEpoch = 0
    /// Examples per second of training.
    public var examplesPerSecond: Double = 0
    /// Training and validation example counts.
    public var trainCount = 0, validationCount = 0
    /// Epochs in the weight average (`nil`: no averaging).
    public var averagedEpochs: Int?
    /// Validation accuracy of the weight average (`nil` without a validation split).
    public var averagedValidationAccuracy: Float?
    /// Whether the kept parameters are the weight average rather than the best epoch.
    public var keptAverage: Bool?

    /// Which parameters were kept, and their validation accuracy, as a phrase for logs.
    public var keptSummary: String {
        func validated(_ accuracy: Float?) -> String {
            accuracy.map { String(format: "validation accuracy %.1f%%", 100 * $0) } ?? "no validation split"
        }
        if keptAverage == true {
            return "the average of the last \(averagedEpochs ?? 0) epochs, \(validated(averagedValidationAccuracy))"
        }
        let accuracy = validationAccuracy.indices.contains(bestEpoch - 1) ? validationAccuracy[bestEpoch - 1] : nil
        return "epoch \(bestEpoch), \(validated(accuracy))"
    }
}

/// Mini-batch training with Adam, optional PGD adversarial training, and early stopping on a
/// validation split of whole training groups (speakers), never on test data.
public enum ClassifierTrainer {
    /// Trains `model` on `data`; returns the report with the best epoch's parameters restored.
    public static func train(
        _ model: any ImageClassifier, data: ClassificationData, configuration: ClassifierTrainingConfiguration,
        progress: (_ epoch: Int, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
    ) throws -> ClassifierTrainingReport {
        let (train, validation) =
            configuration.validationFraction > 0
            ? data.splitByGroup(validationFraction: configuration.validationFraction, seed: configuration.seed)
            : (data, nil)
        guard train.count >= configuration.batchSize / 4, validation.map({ $0.count > 0 }) ?? true else {
            throw ClassifierError.tooLittleData(
                reason: "\(train.count) training and \(validation?.count ?? 0) validation examples")
        }
        var random = SplitMix64(seed: configuration.seed &+ 1)
        let optimizer = Adam(learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        let attack = ProjectedGradientDescent(budget: configuration.budget, steps: configuration.attackSteps)
        var report = ClassifierTrainingReport(trainCount: train.count, validationCount: validation?.count ?? 0)
        var best: (accuracy: Float, values: [Tensor])?
        var stale = 0
        var average = WeightAverage()
        let start = Date()
        var seen = 0
        for epoch in 1...configuration.epochs {
            // Cosine decay of the learning rate to 5% of its start by the last epoch: late epochs
            // take small steps, so the kept parameters (and batch-norm statistics) settle.
            let progressFraction = Float(epoch - 1) / Float(max(configuration.epochs - 1, 1))
            optimizer.learningRate =
                configuration.learningRate * (0.05 + 0.95 * 0.5 * (1 + cos(Float.pi * progressFraction)))
            var order = Array(0..<train.count)
            order.shuffle(using: &random)
            let batches = stride(from: 0, to: order.count, by: configuration.batchSize).map {
                Array(order[$0..<min($0 + configuration.batchSize, order.count)])
            }
            var lossSum: Float = 0
            for (index, indices) in batches.enumerated() {
                var (inputs, labels) = train.batch(indices)
                var mixing: (plan: Mixup.Plan, labels: [Int])?
                if configuration.augmentation != nil || configuration.mixup != nil {
                    var values = inputs.scalars
                    configuration.augmentation?.apply(
                        &values, count: indices.count, bands: train.height, frames: train.width, using: &random)
                    if let mixup = configuration.mixup {
                        let plan = mixup.plan(count: indices.count, using: &random)
                        mixup.mix(&values, count: indices.count, size: train.exampleSize, plan: plan)
                        mixing = (plan, plan.partners.map { labels[$0] })
                    }
                    inputs = Tensor(shape: inputs.shape, scalars: values)
                }
                let loss = try step(
                    model, inputs: inputs, labels: labels, optimizer: optimizer, attack: attack, mixing: mixing,
                    using: &random)
                guard loss.isFinite else { throw ClassifierError.diverged(epoch: epoch, batch: index + 1) }
                lossSum += loss
                seen += indices.count
                progress(epoch, index + 1, batches.count)
            }
            model.detachParameters()
            // Running statistics serve validation, the attack (in evaluation mode) and the kept
            // last epoch; an epoch that feeds none of them only draws the shuffle it would have
            // used, so the random stream (and every later bit) stays that of a recalibrated epoch.
            recalibrateBatchNorm(
                model, data: train, batchSize: configuration.batchSize, using: &random,
                skippingPasses: validation == nil && attack.budget == .none && epoch < configuration.epochs)
            report.trainLoss.append(lossSum / Float(batches.count))
            if let averagingStart = configuration.averagingStart, epoch >= averagingStart { average.add(model) }
            guard let validation else {
                report.bestEpoch = epoch
                continue
            }
            let accuracy = validationAccuracy(model, validation, attack: attack, seed: configuration.seed)
            report.validationAccuracy.append(accuracy)
            if accuracy > (best?.accuracy ?? -1) {
                best = (accuracy, snapshot(model))
                report.bestEpoch = epoch
                stale = 0
            } else {
                stale += 1
                if stale >= configuration.patience { break }
            }
        }
        report.examplesPerSecond = Double(seen) / Date().timeIntervalSince(start)
        if average.count >= 2 {
            average.load(into: model)
            recalibrateBatchNorm(model, data: train, batchSize: configuration.batchSize, using: &random)
            report.averagedEpochs = average.count
            report.averagedValidationAccuracy = validation.map {
                validationAccuracy(model, $0, attack: attack, seed: configuration.seed)
            }
            report.keptAverage = true
            best = nil
        }
        if let best { restore(model, best.values) }
        model.setTraining(false)
        return report
    }

    /// Clean validation accuracy, or for adversarial training the accuracy under the training
    /// attack (clean accuracy alone would favour the least robust epoch).
    static func validationAccuracy(
        _ model: any ImageClassifier, _ validation: ClassificationData, attack: ProjectedGradientDescent, seed: UInt64
    ) -> Float {
        attack.budget == .none
            ? ClassifierEvaluation.accuracy(model, data: validation)
            : ClassifierEvaluation.robustAccuracy(model, data: validation, attack: attack, seed: seed)
    }

    /// One training step on a batch: PGD-perturbed first when `attack` has a budget (Madry et al.),
    /// then cross-entropy and an optimiser update. With `mixing` (mixed inputs), the loss weighs the
    /// partners' labels by the plan. Returns the loss; a non-finite loss is returned without
    /// updating anything.
    public static func step(
        _ model: any ImageClassifier, inputs: Tensor, labels: [Int], optimizer: Adam,
        attack: ProjectedGradientDescent, mixing: (plan: Mixup.Plan, labels: [Int])? = nil,
        using random: inout SplitMix64
    ) throws -> Float {
        var inputs = inputs
        if attack.budget != .none {
            model.setTraining(false)
            model.detachParameters()
            inputs = attack.attack(inputs, labels: labels, model: model.logits, using: &random)
        }
        model.setTraining(true)
        let tape = Tape()
        let parameters = model.watch(on: tape)
        let logits = model.logits(inputs)
        var loss = Tensor.crossEntropy(logits: logits, labels: labels)
        if let mixing {
            loss =
                loss * mixing.plan.weight
                + Tensor.crossEntropy(logits: logits, labels: mixing.labels) * (1 - mixing.plan.weight)
        }
        guard loss.scalar.isFinite else { return loss.scalar }
        try optimizer.update(model.trainableParameters, gradients: tape.gradients(of: loss, withRespectTo: parameters))
        return loss.scalar
    }

    /// Recomputes every batch norm's running statistics as the plain average over clean training
    /// batches. The exponential averages gathered during training trail the changing weights and
    /// see augmented inputs; measured here, validation accuracy swung between 42% and 98% from one
    /// epoch to the next without this. `skippingPasses` (an epoch whose statistics nothing reads)
    /// only draws the shuffle, so the random stream, and every later bit, stays the same.
    static func recalibrateBatchNorm(
        _ model: any ImageClassifier, data: ClassificationData, batchSize: Int, using random: inout SplitMix64,
        skippingPasses: Bool = false
    ) {
        let norms = model.allModules().compactMap { $0 as? BatchNorm2d }
        guard !norms.isEmpty else { return }
        var order = Array(0..<data.count)
        order.shuffle(using: &random)
        guard !skippingPasses else { return }
        let saved = norms.map(\.momentum)
        for norm in norms {
            norm.runningMean.value = Tensor.zeros(norm.runningMean.value.shape)
            norm.runningVariance.value = Tensor.ones(norm.runningVariance.value.shape)
        }
        model.setTraining(true)
        let batches = min(20, (data.count + batchSize - 1) / batchSize)
        for batch in 0..<batches {
            // Momentum 1/(k+1) makes the k-th update a running plain average.
            for norm in norms { norm.momentum = 1 / Float(batch + 1) }
            let indices = Array(order[(batch * batchSize)..<min((batch + 1) * batchSize, data.count)])
            _ = model.logits(data.batch(indices).0)
        }
        for (norm, momentum) in zip(norms, saved) { norm.momentum = momentum }
        model.setTraining(false)
    }

    /// A plain running average of a model's parameters (buffers are recomputed, not averaged).
    struct WeightAverage {
        var sums: [[Float]] = []
        var count = 0

        mutating func add(_ model: Module) {
            let values = model.namedParameters().map(\.1.value.scalars)
            if sums.isEmpty {
                sums = values
            } else {
                for index in sums.indices {
                    for element in sums[index].indices { sums[index][element] += values[index][element] }
                }
            }
            count += 1
        }

        func load(into model: Module) {
            let scale = 1 / Float(count)
            for (index, (_, parameter)) in model.namedParameters().enumerated() {
                parameter.value = Tensor(shape: parameter.value.shape, scalars: sums[index].map { $0 * scale })
            }
        }
    }

    static func snapshot(_ model: Module) -> [Tensor] {
        model.namedParameters().map(\.1.value.detached) + model.namedBuffers().map(\.1.value)
    }

    static func restore(_ model: Module, _ values: [Tensor]) {
        let parameters = model.namedParameters()
        for (index, (_, parameter)) in parameters.enumerated() { parameter.value = values[index] }
        for (index, (_, buffer)) in model.namedBuffers().enumerated() {
            buffer.value = values[parameters.count + index]
        }
    }
}
