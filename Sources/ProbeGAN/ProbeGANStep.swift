import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// One ProbeGAN training iteration: a discriminator step (hinge on the projection head over seen
/// classes, WGAN on the linear head over all fakes, gradient penalty with double backward), then a
/// generator step through the discriminator and the frozen classifier.
public final class ProbeGANStep {
    /// The models.
    public let generator: Generator, discriminator: Discriminator, classifier: any ImageClassifier
    /// Their optimisers.
    public let generatorOptimizer: Adam, discriminatorOptimizer: Adam
    /// Classes with real data are `0..<seenClassCount` in this reference step; all classes can be drawn as fakes.
    public let classCount: Int, seenClasses: Set<Int>
    /// Gradient penalty weight (lambda_gp = 10) and classifier loss weight (lambda_g).
    public let penaltyWeight: Float, classifierWeight: Float

    /// Binds models and optimisers.
    public init(
        generator: Generator, discriminator: Discriminator, classifier: any ImageClassifier, classCount: Int,
        seenClasses: Set<Int>, generatorOptimizer: Adam, discriminatorOptimizer: Adam, penaltyWeight: Float = 10,
        classifierWeight: Float = 1
    ) {
        self.generator = generator
        self.discriminator = discriminator
        self.classifier = classifier
        self.classCount = classCount
        self.seenClasses = seenClasses
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.penaltyWeight = penaltyWeight
        self.classifierWeight = classifierWeight
        classifier.setFrozen(true)
        classifier.setTraining(false)
    }

    /// The discriminator losses of one step.
    public struct DiscriminatorLosses: Sendable {
        /// Hinge, WGAN critic, gradient penalty, and the weighted total.
        public let hinge: Float, wasserstein: Float, penalty: Float, total: Float
    }

    /// One discriminator step on a real batch (labels must be seen classes).
    public func discriminatorStep(real: Tensor, realLabels: [Int], using random: inout SplitMix64) throws
        -> DiscriminatorLosses
    {
        let batch = real.shape[0]
        let z = Tensor.randomNormal([batch, generator.latentFeatures], using: &random)
        let fakeLabels = (0..<batch).map { _ in Int(random.next() % UInt64(classCount)) }
        generator.detachParameters()
        let fake = generator(z, labels: fakeLabels).detached
        let tape = Tape()
        let parameters = discriminator.watch(on: tape)
        let both = Tensor.concatenate([real, fake], axis: 0)
        let (conditional, unconditional) = discriminator.heads(
            discriminator.features(both), labels: realLabels + fakeLabels)
        let fakeSeen = fakeLabels.map { seenClasses.contains($0) ? Float(1) : 0 }
        let hinge = ProbeGANLosses.conditionalHinge(
            real: conditional.slice(axis: 0, 0..<batch), fake: conditional.slice(axis: 0, batch..<(2 * batch)),
            fakeSeen: fakeSeen)
        let wasserstein = ProbeGANLosses.wassersteinCritic(
            real: unconditional.slice(axis: 0, 0..<batch), fake: unconditional.slice(axis: 0, batch..<(2 * batch)))
        let epsilon = Tensor.randomUniform([batch, 1, 1, 1], using: &random)
        let mixed = tape.watch((epsilon * real + (1 - epsilon) * fake).detached)
        let critic = discriminator.unconditional(discriminator.features(mixed))
        let inputGradient = tape.gradients(of: critic.sum(), withRespectTo: [mixed], createGraph: true)[0]
        let penalty = ProbeGANLosses.gradientPenalty(inputGradient: inputGradient)
        let total = hinge + wasserstein + penalty * penaltyWeight
        let gradients = tape.gradients(of: total, withRespectTo: parameters)
        try discriminatorOptimizer.update(discriminator.trainableParameters, gradients: gradients)
        return DiscriminatorLosses(
            hinge: hinge.scalar, wasserstein: wasserstein.scalar, penalty: penalty.scalar, total: total.scalar)
    }

    /// One generator step; returns the total generator loss.
    public func generatorStep(batch: Int, using random: inout SplitMix64) throws -> Float {
        let z = Tensor.randomNormal([batch, generator.latentFeatures], using: &random)
        let labels = (0..<batch).map { _ in Int(random.next() % UInt64(classCount)) }
        discriminator.detachParameters()
        let tape = Tape()
        let parameters = generator.watch(on: tape)
        let images = generator(z, labels: labels)
        let (conditional, unconditional) = discriminator.heads(discriminator.features(images), labels: labels)
        let seen = labels.map { seenClasses.contains($0) ? Float(1) : 0 }
        let adversarial = -ProbeGANLosses.maskedMean(conditional, mask: seen) - unconditional.mean()
        let classification = Tensor.crossEntropy(logits: classifier.logits(images), labels: labels)
        let total = adversarial + classification * classifierWeight
        let gradients = tape.gradients(of: total, withRespectTo: parameters)
        try generatorOptimizer.update(generator.trainableParameters, gradients: gradients)
        return total.scalar
    }
}
