import Foundation
import ProbeGAN
import StudioData
import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor
import Testing

/// A run small enough for a unit test: 16x16 single-channel images, three classes, class 2 unseen.
enum TinyRun {
    static let names = ["a", "b", "c"]

    static func configuration(_ method: ProbeGANMethod = .probegan) -> ProbeGANConfiguration {
        var configuration = ProbeGANConfiguration(
            method: method, preset: .quick, classNames: names, unseen: [2], inputShape: [1, 16, 16])
        configuration.generatorWidths = [8, 8, 8]
        configuration.discriminatorWidths = [8, 8]
        configuration.discriminatorDownsamples = [true, true]
        configuration.latentFeatures = 8
        configuration.embeddingFeatures = 8
        configuration.batchSize = 6
        configuration.iterations = 4
        configuration.evaluateEvery = 2
        configuration.evaluationSamples = 4
        configuration.emaStart = 1
        configuration.seed = 11
        return configuration
    }

    /// Seen-class data: class a bright on top, class b bright below.
    static func data(labels: [Int] = Array(repeating: [0, 1], count: 10).flatMap { $0 }) -> ClassificationData {
        var random = SplitMix64(seed: 2)
        var inputs = [Float]()
        for label in labels {
            for row in 0..<16 {
                for _ in 0..<16 {
                    let bright = (label == 0) == (row < 8)
                    inputs.append((bright ? 0.6 : -0.6) + 0.1 * (random.nextUnitFloat() - 0.5))
                }
            }
        }
        return ClassificationData(
            inputs: inputs, labels: labels, groups: labels.indices.map { "g\($0 % 4)" }, classNames: names,
            channels: 1, height: 16, width: 16)
    }

    static func classifier() -> any ImageClassifier {
        var random = SplitMix64(seed: 4)
        return ResidualClassifier(inputChannels: 1, classCount: 3, widths: [4, 8], using: &random)
    }

    /// A ProbeGAN step on fresh tiny models (generator seed 5, discriminator seed 3, Adam 1e-2),
    /// classes 0 and 1 seen; returns the generator too, to read what a step did to it.
    static func step(
        classifierWeight: Float, seenClassifierWeight: Float? = nil, augmentation: DiscriminatorAugmentation? = nil
    ) -> (step: ProbeGANStep, generator: Generator) {
        let configuration = configuration()
        let generator = ProbeGANModels.generator(configuration, seed: 5)
        let step = ProbeGANStep(
            generator: generator, discriminator: ProbeGANModels.discriminator(configuration, seed: 3),
            classifier: classifier(), method: .probegan, labelSampler: FakeLabelSampler(configuration: configuration),
            seenClasses: [0, 1], generatorOptimizer: Adam(learningRate: 1e-2),
            discriminatorOptimizer: Adam(learningRate: 1e-2), classifierWeight: classifierWeight,
            seenClassifierWeight: seenClassifierWeight, augmentation: augmentation)
        return (step, generator)
    }

    static func values(_ module: Module) -> [[Float]] {
        module.namedParameters().map(\.1.value.scalars) + module.namedBuffers().map(\.1.value.scalars)
    }
}

@Suite("ProbeGAN trainer")
struct ProbeGANTrainerTests {
    @Test func resumedRunIsBitIdenticalToAStraightRun() throws {
        let classifier = TinyRun.classifier()
        let straight = try ProbeGANTrainer(
            configuration: TinyRun.configuration(), realData: TinyRun.data(), classifier: classifier)
        while !straight.isFinished {
            _ = try straight.trainIteration()
            if straight.isEvaluationDue { _ = try straight.evaluate() }
        }
        let first = try ProbeGANTrainer(
            configuration: TinyRun.configuration(), realData: TinyRun.data(), classifier: classifier)
        for _ in 0..<2 {
            _ = try first.trainIteration()
            if first.isEvaluationDue { _ = try first.evaluate() }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString).st").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try first.checkpoint(elapsedSeconds: 1).write(to: path)
        let second = try ProbeGANTrainer(
            configuration: TinyRun.configuration(), realData: TinyRun.data(), classifier: classifier)
        try second.restore(from: Checkpoint.read(from: path), path: path)
        #expect(second.iteration == 2)
        while !second.isFinished {
            _ = try second.trainIteration()
            if second.isEvaluationDue { _ = try second.evaluate() }
        }
        #expect(TinyRun.values(second.generator) == TinyRun.values(straight.generator))
        #expect(TinyRun.values(second.discriminator) == TinyRun.values(straight.discriminator))
        #expect(TinyRun.values(second.emaGenerator) == TinyRun.values(straight.emaGenerator))
        #expect(second.best?.iteration == straight.best?.iteration)
    }

    /// Selection by a model-free measure needs one: without it the evaluation stops with a clear
    /// error instead of silently falling back to the classifier's features.
    @Test func selectionBySpeechLikenessNeedsTheMeasure() throws {
        var configuration = TinyRun.configuration()
        configuration.selectionFidelity = .speechLikeness
        let trainer = try ProbeGANTrainer(
            configuration: configuration, realData: TinyRun.data(), classifier: TinyRun.classifier())
        #expect(throws: ProbeGANError.missingFidelity(selection: "speech-likeness")) { try trainer.evaluate() }
    }

    @Test func realDataOfAnUnseenClassIsRefused() {
        #expect(throws: ProbeGANError.unseenClassInRealData(name: "c")) {
            try ProbeGANTrainer(
                configuration: TinyRun.configuration(), realData: TinyRun.data(labels: [0, 1, 2, 0]),
                classifier: TinyRun.classifier())
        }
    }

    @Test func oracleMayTrainOnEveryClassButNeedsTheirData() throws {
        #expect(throws: ProbeGANError.classWithoutData(name: "c")) {
            try ProbeGANTrainer(
                configuration: TinyRun.configuration(.oracle), realData: TinyRun.data(),
                classifier: TinyRun.classifier())
        }
        _ = try ProbeGANTrainer(
            configuration: TinyRun.configuration(.oracle), realData: TinyRun.data(labels: [0, 1, 2, 0, 1, 2]),
            classifier: TinyRun.classifier())
    }

    /// A batch far beyond the machine's memory is refused before anything is allocated.
    @Test func runawayBatchSizesAreRefused() throws {
        var configuration = TinyRun.configuration()
        configuration.batchSize = 100_000_000
        #expect(throws: ProbeGANError.self) { try configuration.checkMemory(available: 24 << 30) }
        #expect(throws: ProbeGANError.self) {
            try ProbeGANTrainer(
                configuration: configuration, realData: TinyRun.data(), classifier: TinyRun.classifier())
        }
        configuration.batchSize = 32
        try configuration.checkMemory(available: 24 << 30)
    }

    @Test func everyClassUnseenAndMissingSeenDataAreErrors() {
        var configuration = TinyRun.configuration()
        configuration.unseen = [0, 1, 2]
        #expect(throws: ProbeGANError.everyClassUnseen(classes: TinyRun.names)) {
            try ProbeGANTrainer(
                configuration: configuration, realData: TinyRun.data(), classifier: TinyRun.classifier())
        }
        #expect(throws: ProbeGANError.classWithoutData(name: "b")) {
            try ProbeGANTrainer(
                configuration: TinyRun.configuration(), realData: TinyRun.data(labels: [0, 0, 0]),
                classifier: TinyRun.classifier())
        }
    }

    @Test func theClassifierStaysFrozen() throws {
        let classifier = TinyRun.classifier()
        let before = TinyRun.values(classifier)
        let trainer = try ProbeGANTrainer(
            configuration: TinyRun.configuration(), realData: TinyRun.data(), classifier: classifier)
        let record = try trainer.trainIteration()
        // The classifier's term is in the generator's loss, at its weight, although nothing of it learns.
        let g = record.generator
        let weight = TinyRun.configuration().classifierWeight
        #expect(g.classification.isFinite && g.classification > 0 && weight > 0)
        #expect(
            abs(g.total - (g.conditional + g.unconditional + weight * g.classification)) < 1e-5 * max(1, abs(g.total)))
        #expect(TinyRun.values(classifier) == before)
    }

    @Test(arguments: [ProbeGANMethod.naive, .ganAM])
    func baselinesTrainOnlyTheirTerms(method: ProbeGANMethod) throws {
        let trainer = try ProbeGANTrainer(
            configuration: TinyRun.configuration(method), realData: TinyRun.data(), classifier: TinyRun.classifier())
        let record = try trainer.trainIteration()
        if method == .naive {
            #expect(record.discriminator.hinge == 0 && record.generator.conditional == 0)
            #expect(record.discriminator.penalty > 0)
        } else {
            #expect(record.discriminator.penalty == 0 && record.generator.classification == 0)
            #expect(record.discriminator.hinge > 0)
        }
    }

    @Test func embeddingSearchRaisesTheTargetProbability() throws {
        let classifier = TinyRun.classifier()
        let trainer = try ProbeGANTrainer(
            configuration: TinyRun.configuration(.ganAM), realData: TinyRun.data(), classifier: classifier)
        let generator = trainer.samplingGenerator()
        var search = ClassEmbeddingSearch()
        search.steps = 60
        search.stepsPerLatent = 60
        // Without BigGAN-AM's strong decay, so an untrained pair of networks shows the descent clearly.
        search.weightDecay = 0
        let (_, losses) = try search.search(
            generator: generator, classifier: classifier, target: 2, seenClasses: [0, 1], seed: 1)
        let early = losses.prefix(10).reduce(0, +) / 10
        let late = losses.suffix(10).reduce(0, +) / 10
        #expect(late < early, "cross-entropy \(early) -> \(late)")
    }
}
