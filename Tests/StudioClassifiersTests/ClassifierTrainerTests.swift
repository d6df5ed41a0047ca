import StudioData
import StudioModels
import StudioSupport
import StudioTensor
import Testing

@testable import StudioClassifiers

/// Two classes of noisy 8x8 images: bright left half vs bright right half. With `shortcut`, pixel
/// (0, 0) also carries the label exactly (+-0.8): a perfectly predictive but non-robust feature that
/// an L2 perturbation of 0.9 can flip, while the halves need far more to flip.
func halvesData(count: Int, seed: UInt64, noise: Float = 0.3, contrast: Float = 0.5, shortcut: Bool = false)
    -> ClassificationData
{
    var random = SplitMix64(seed: seed)
    var inputs = [Float]()
    var labels = [Int]()
    var groups = [String]()
    for index in 0..<count {
        let label = index % 2
        for y in 0..<8 {
            for x in 0..<8 {
                let bright = (x < 4) == (label == 0)
                let value = (bright ? contrast : -contrast) + noise * (2 * random.nextUnitFloat() - 1)
                inputs.append(shortcut && x == 0 && y == 0 ? (label == 0 ? 0.8 : -0.8) : value)
            }
        }
        labels.append(label)
        groups.append("speaker\(index % 10)")
    }
    return ClassificationData(
        inputs: inputs, labels: labels, groups: groups, classNames: ["left", "right"], channels: 1, height: 8, width: 8)
}

@Suite("Classifier training, PGD and evaluation")
struct ClassifierTrainerTests {
    func tinyModel(seed: UInt64) -> ResidualClassifier {
        var generator = SplitMix64(seed: seed)
        return ResidualClassifier(inputChannels: 1, classCount: 2, widths: [4, 8], using: &generator)
    }

    @Test func tinyClassifierLearnsAboveChanceAndKeepsGroupsWhole() throws {
        let data = halvesData(count: 200, seed: 1)
        let (train, validation) = data.splitByGroup(validationFraction: 0.2, seed: 3)
        #expect(Set(train.groups).isDisjoint(with: Set(validation.groups)))
        #expect(train.count + validation.count == 200)
        let model = tinyModel(seed: 2)
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 6
        configuration.batchSize = 32
        configuration.learningRate = 3e-3
        let report = try ClassifierTrainer.train(model, data: data, configuration: configuration)
        #expect(report.validationAccuracy.count >= 1 && report.bestEpoch >= 1)
        let test = halvesData(count: 100, seed: 9)
        let accuracy = ClassifierEvaluation.accuracy(model, data: test)
        #expect(accuracy > 0.9, "held-out accuracy \(accuracy)")
        let confusion = ClassifierEvaluation.confusion(
            predicted: ClassifierEvaluation.predictions(model, data: test), labels: test.labels, classCount: 2)
        #expect(confusion.flatMap { $0 }.reduce(0, +) == 100)
    }

    /// The attack really hurts: PGD raises the loss of a regularly trained model well above the loss
    /// under random noise of the same L2 size (measured: 0.53 against 0.36), and the adversarially
    /// trained model keeps more accuracy under the attack (measured: 0.98 against 0.85).
    @Test func pgdIncreasesLossAndAdversarialTrainingHelps() throws {
        let data = halvesData(count: 320, seed: 4, noise: 0.6, contrast: 0.3, shortcut: true)
        let test = halvesData(count: 120, seed: 5, noise: 0.6, contrast: 0.3, shortcut: true)
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 10
        configuration.batchSize = 32
        configuration.learningRate = 3e-3
        let regular = tinyModel(seed: 6)
        _ = try ClassifierTrainer.train(regular, data: data, configuration: configuration)
        let budget = PerturbationBudget.l2(0.9)
        let attack = ProjectedGradientDescent(budget: budget, steps: 10)
        let (inputs, labels) = test.batch(Array(0..<test.count))
        var random = SplitMix64(seed: 7)
        let adversarial = attack.attack(inputs, labels: labels, model: regular.logits, using: &random)
        // Random noise of the same L2 size.
        let noise = Tensor.randomNormal(inputs.shape, using: &random)
        let noiseNorms = noise.flattenedBatch().squared().sum(alongAxes: [1]).sqrt()
        let noisy = inputs + noise / noiseNorms.reshaped([inputs.shape[0], 1, 1, 1]) * 0.9
        let clean = Tensor.crossEntropy(logits: regular.logits(inputs), labels: labels).scalar
        let attacked = Tensor.crossEntropy(logits: regular.logits(adversarial), labels: labels).scalar
        let noiseLoss = Tensor.crossEntropy(logits: regular.logits(noisy), labels: labels).scalar
        #expect(
            attacked > 1.3 * noiseLoss && attacked > clean + 0.1, "clean \(clean), noise \(noiseLoss), PGD \(attacked)")
        // Perturbations stay in the ball and in [-1, 1].
        let norms = (adversarial - inputs).flattenedBatch().squared().sum(alongAxes: [1]).sqrt().scalars
        #expect(norms.allSatisfy { $0 <= 0.9 + 1e-4 } && adversarial.scalars.allSatisfy { abs($0) <= 1 + 1e-6 })

        configuration.budget = budget
        configuration.attackSteps = 5
        let robust = tinyModel(seed: 6)
        _ = try ClassifierTrainer.train(robust, data: data, configuration: configuration)
        var reported = [Int]()
        let regularRobust = ClassifierEvaluation.robustAccuracy(regular, data: test, attack: attack) {
            done, total in
            #expect(total == test.count)
            reported.append(done)
        }
        // Progress after every batch, rising to the whole split.
        #expect(
            reported.count == (test.count + 63) / 64 && reported.last == test.count && reported == reported.sorted())
        let robustRobust = ClassifierEvaluation.robustAccuracy(robust, data: test, attack: attack)
        #expect(
            robustRobust > regularRobust,
            "robust accuracy: regular \(regularRobust), adversarially trained \(robustRobust)")
    }

    @Test func budgetsParseAndL2StaysInItsBall() {
        #expect(PerturbationBudget(argument: "l2:0.5") == .l2(0.5))
        #expect(PerturbationBudget(argument: "LINF:0.03") == .linf(0.03))
        #expect(PerturbationBudget(argument: "none") == PerturbationBudget.none)
        #expect(PerturbationBudget(argument: "l3:1") == nil && PerturbationBudget(argument: "l2:-1") == nil)
        let data = halvesData(count: 16, seed: 8)
        let model = tinyModel(seed: 9)
        model.setTraining(false)
        var random = SplitMix64(seed: 10)
        let (inputs, labels) = data.batch(Array(0..<16))
        let adversarial = ProjectedGradientDescent(budget: .l2(0.7), steps: 5).attack(
            inputs, labels: labels, model: model.logits, using: &random)
        let norms = (adversarial - inputs).flattenedBatch().squared().sum(alongAxes: [1]).sqrt().scalars
        #expect(norms.allSatisfy { $0 <= 0.7 + 1e-4 } && norms.contains { $0 > 0.3 })
    }

    @Test func weightAverageIsTheElementwiseMeanOfTheAddedModels() {
        let first = tinyModel(seed: 4)
        let second = tinyModel(seed: 5)
        var average = ClassifierTrainer.WeightAverage()
        average.add(first)
        average.add(second)
        let target = tinyModel(seed: 6)
        average.load(into: target)
        for ((_, a), ((_, b), (_, mean))) in zip(
            first.namedParameters(), zip(second.namedParameters(), target.namedParameters()))
        {
            for (x, (y, m)) in zip(a.value.scalars, zip(b.value.scalars, mean.value.scalars)) {
                #expect(abs((x + y) / 2 - m) < 1e-6)
            }
        }
    }

    /// Tiny-model training that averages the weights from epoch 3 on.
    func averagingConfiguration(epochs: Int) -> ClassifierTrainingConfiguration {
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = epochs
        configuration.patience = 10
        configuration.batchSize = 32
        configuration.learningRate = 3e-3
        configuration.averagingStart = 3
        return configuration
    }

    @Test func weightAveragingReportsItsEpochsAndStillLearns() throws {
        let data = halvesData(count: 200, seed: 1)
        let model = tinyModel(seed: 2)
        let configuration = averagingConfiguration(epochs: 5)
        let report = try ClassifierTrainer.train(model, data: data, configuration: configuration)
        #expect(report.averagedEpochs == 3)
        #expect(report.keptAverage == true)
        let averaged = try #require(report.averagedValidationAccuracy)
        #expect(report.keptSummary.hasPrefix("the average of the last 3 epochs, validation accuracy "))
        // The kept parameters are the average: validating the model again gives its accuracy.
        let (_, validation) = data.splitByGroup(
            validationFraction: configuration.validationFraction, seed: configuration.seed)
        #expect(ClassifierEvaluation.accuracy(model, data: validation) == averaged)
        let accuracy = ClassifierEvaluation.accuracy(model, data: halvesData(count: 100, seed: 9))
        #expect(accuracy > 0.9, "held-out accuracy \(accuracy)")
    }

    @Test func withoutValidationEveryExampleTrainsAndTheAverageIsKept() throws {
        let data = halvesData(count: 200, seed: 1)
        let model = tinyModel(seed: 2)
        var configuration = averagingConfiguration(epochs: 4)
        configuration.validationFraction = 0
        let report = try ClassifierTrainer.train(model, data: data, configuration: configuration)
        #expect(report.trainCount == 200 && report.validationCount == 0)
        #expect(report.trainLoss.count == 4, "no early stopping without validation")
        #expect(report.validationAccuracy.isEmpty && report.averagedValidationAccuracy == nil)
        #expect(report.bestEpoch == 4 && report.averagedEpochs == 2 && report.keptAverage == true)
        #expect(report.keptSummary == "the average of the last 2 epochs, no validation split")
        let accuracy = ClassifierEvaluation.accuracy(model, data: halvesData(count: 100, seed: 9))
        #expect(accuracy > 0.9, "held-out accuracy \(accuracy)")
    }

    /// An epoch whose running statistics nothing reads skips the recalibration passes: the
    /// statistics stay as they were and the random stream moves exactly as a full recalibration
    /// moves it, so the training's later bits are those of recalibrating every epoch.
    @Test func skippedRecalibrationLeavesStatisticsAndDrawsTheSameShuffle() throws {
        let data = halvesData(count: 100, seed: 1)
        let model = tinyModel(seed: 2)
        let statistics = { model.namedBuffers().map(\.1.value.scalars) }
        let before = statistics()
        var skipping = SplitMix64(seed: 5)
        ClassifierTrainer.recalibrateBatchNorm(model, data: data, batchSize: 16, using: &skipping, skippingPasses: true)
        #expect(statistics() == before, "skipped passes leave the running statistics")
        var full = SplitMix64(seed: 5)
        ClassifierTrainer.recalibrateBatchNorm(model, data: data, batchSize: 16, using: &full)
        #expect(statistics() != before, "a full recalibration sets them")
        #expect(skipping.next() == full.next(), "both leave the random stream at the same place")
    }
}
