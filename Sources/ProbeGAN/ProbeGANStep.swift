import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// One ProbeGAN training iteration's two halves, following the paper's equations (1)-(4):
/// a discriminator step (hinge on the projection head D_c over seen classes, WGAN on the linear
/// head D_u over every fake, gradient penalty by double backward) and a generator step through
/// both heads and the frozen classifier. The method decides which terms are on.
public final class ProbeGANStep {
    /// The models.
    public let generator: Generator, discriminator: Discriminator, classifier: any ImageClassifier
    /// Their optimisers.
    public let generatorOptimizer: Adam, discriminatorOptimizer: Adam
    /// Which loss terms are on.
    public let method: ProbeGANMethod
    /// Labels of generated samples (class dilution).
    public let labelSampler: FakeLabelSampler
    /// Classes whose fakes D_c judges (the classes with real data).
    public let seenClasses: Set<Int>
    /// Gradient penalty weight (lambda_gp = 10) and classifier loss weight (lambda_g).
    public let penaltyWeight: Float, classifierWeight: Float
    /// The classifier loss weight on fakes of seen classes (nil: `classifierWeight`, as in the
    /// paper's equation (1), where every class's term has lambda_g).
    public let seenClassifierWeight: Float?
    /// Differentiable augmentation of every image the discriminator sees (nil: none).
    public let augmentation: DiscriminatorAugmentation?

    /// Binds models and optimisers; freezes the classifier and puts it in evaluation mode.
    public init(
        generator: Generator, discriminator: Discriminator, classifier: any ImageClassifier, method: ProbeGANMethod,
        labelSampler: FakeLabelSampler, seenClasses: Set<Int>, generatorOptimizer: Adam,
        discriminatorOptimizer: Adam, penaltyWeight: Float = 10, classifierWeight: Float = 1,
        seenClassifierWeight: Float? = nil, augmentation: DiscriminatorAugmentation? = nil
    ) {
        self.generator = generator
        self.discriminator = discriminator
        self.classifier = classifier
        self.method = method
        self.labelSampler = labelSampler
        self.seenClasses = seenClasses
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.penaltyWeight = penaltyWeight
        self.classifierWeight = classifierWeight
        self.seenClassifierWeight = seenClassifierWeight
        self.augmentation = augmentation
        classifier.setFrozen(true)
        classifier.setTraining(false)
    }

    /// The discriminator losses of one step (terms a method does not use are 0).
    public struct DiscriminatorLosses: Sendable, Codable {
        /// Hinge (D_c), WGAN critic (D_u), gradient penalty, and the weighted total.
        public let hinge: Float, wasserstein: Float, penalty: Float, total: Float
    }

    /// The generator losses of one step.
    public struct GeneratorLosses: Sendable, Codable {
        /// `-E[D_c]` over seen-class fakes, `-E[D_u]` over all fakes, the classifier's (unweighted)
        /// cross-entropy, and the total.
        public let conditional: Float, unconditional: Float, classification: Float, total: Float
    }

    /// One discriminator step on a real batch (labels must be seen classes).
    public func discriminatorStep(real: Tensor, realLabels: [Int], using random: inout SplitMix64) throws
        -> DiscriminatorLosses
    {
        let batch = real.shape[0]
        let z = Tensor.randomNormal([batch, generator.latentFeatures], using: &random)
        let fakeLabels = labelSampler.labels(batch, using: &random)
        generator.detachParameters()
        var fake = generator(z, labels: fakeLabels).detached
        var real = real
        if let augmentation {
            real = augmentation.apply(real, using: &random)
            fake = augmentation.apply(fake, using: &random)
        }
        let tape = Tape()
        let parameters = discriminator.watch(on: tape)
        let terms = discriminatorTerms(
            real: real, realLabels: realLabels, fake: fake, fakeLabels: fakeLabels, tape: tape, using: &random)
        let total = terms.hinge + terms.wasserstein + terms.penalty * penaltyWeight
        let gradients = tape.gradients(of: total, withRespectTo: parameters)
        try discriminatorOptimizer.update(discriminator.trainableParameters, gradients: gradients)
        return DiscriminatorLosses(
            hinge: terms.hinge.scalar, wasserstein: terms.wasserstein.scalar, penalty: terms.penalty.scalar,
            total: total.scalar)
    }

    /// The discriminator's loss terms on a real and a fake batch, recorded on `tape`: the hinge of
    /// D_c over real examples and the *seen-class* fakes only (an unseen-class fake never reaches
    /// D_c), the WGAN critic of D_u over every fake, and D_u's gradient penalty (unweighted). Terms
    /// the method does not use are 0.
    public func discriminatorTerms(
        real: Tensor, realLabels: [Int], fake: Tensor, fakeLabels: [Int], tape: Tape, using random: inout SplitMix64
    ) -> (hinge: Tensor, wasserstein: Tensor, penalty: Tensor) {
        let batch = real.shape[0]
        let both = Tensor.concatenate([real, fake], axis: 0)
        let (conditional, unconditional) = discriminator.heads(
            discriminator.features(both), labels: realLabels + fakeLabels)
        var hinge = Tensor(0)
        var wasserstein = Tensor(0)
        var penalty = Tensor(0)
        if method.usesConditionalHead {
            let fakeSeen = fakeLabels.map { seenClasses.contains($0) ? Float(1) : 0 }
            hinge = ProbeGANLosses.conditionalHinge(
                real: conditional.slice(axis: 0, 0..<batch), fake: conditional.slice(axis: 0, batch..<(2 * batch)),
                fakeSeen: fakeSeen)
        }
        if method.usesUnconditionalHead {
            wasserstein = ProbeGANLosses.wassersteinCritic(
                real: unconditional.slice(axis: 0, 0..<batch), fake: unconditional.slice(axis: 0, batch..<(2 * batch))
            )
            let epsilon = Tensor.randomUniform([batch, 1, 1, 1], using: &random)
            let mixed = tape.watch((epsilon * real + (1 - epsilon) * fake).detached)
            let critic = discriminator.unconditional(discriminator.features(mixed))
            let inputGradient = tape.gradients(of: critic.sum(), withRespectTo: [mixed], createGraph: true)[0]
            penalty = ProbeGANLosses.gradientPenalty(inputGradient: inputGradient)
        }
        return (hinge, wasserstein, penalty)
    }

    /// One generator step.
    public func generatorStep(batch: Int, using random: inout SplitMix64) throws -> GeneratorLosses {
        let z = Tensor.randomNormal([batch, generator.latentFeatures], using: &random)
        let labels = labelSampler.labels(batch, using: &random)
        discriminator.detachParameters()
        let tape = Tape()
        let parameters = generator.watch(on: tape)
        let images = generator(z, labels: labels)
        let seenByDiscriminator = augmentation.map { $0.apply(images, using: &random) } ?? images
        let (conditional, unconditional) = discriminator.heads(
            discriminator.features(seenByDiscriminator), labels: labels)
        var total = Tensor(0)
        var conditionalLoss = Tensor(0)
        var unconditionalLoss = Tensor(0)
        var classification = Tensor(0)
        if method.usesConditionalHead {
            let seen = labels.map { seenClasses.contains($0) ? Float(1) : 0 }
            conditionalLoss = -ProbeGANLosses.maskedMean(conditional, mask: seen)
            total = total + conditionalLoss
        }
        if method.usesUnconditionalHead {
            unconditionalLoss = -unconditional.mean()
            total = total + unconditionalLoss
        }
        if method.usesClassifierDuringTraining, let seenWeight = seenClassifierWeight {
            let logits = classifier.logits(images)
            let weights = labels.map { seenClasses.contains($0) ? seenWeight : classifierWeight }
            classification = Tensor.crossEntropy(logits: logits, labels: labels).detached
            total = total + Tensor.crossEntropy(logits: logits, labels: labels, rowWeights: weights)
        } else if method.usesClassifierDuringTraining && classifierWeight > 0 {
            classification = Tensor.crossEntropy(logits: classifier.logits(images), labels: labels)
            total = total + classification * classifierWeight
        }
        let gradients = tape.gradients(of: total, withRespectTo: parameters)
        try generatorOptimizer.update(generator.trainableParameters, gradients: gradients)
        return GeneratorLosses(
            conditional: conditionalLoss.scalar, unconditional: unconditionalLoss.scalar,
            classification: classification.scalar, total: total.scalar)
    }
}
