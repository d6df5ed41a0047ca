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
    /// In data-parallel training, the shard of every batch this step computes and the exchange
    /// with the other shards. Each step then draws the whole batch's random numbers and keeps its
    /// shard's rows, weighs its losses by its share of the whole batch, and sums gradients, loss
    /// values and the generator's batch statistics over the shards in one fixed order. Nil: this step
    /// computes the whole batch.
    public var shardPeer: ShardPeer? {
        didSet { for case let norm as BatchNorm2d in generator.allModules() { norm.shardPeer = shardPeer } }
    }

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
        let globalBatch = real.shape[0] * shardCount
        let z = shardRows(Tensor.randomNormal([globalBatch, generator.latentFeatures], using: &random))
        let allFakeLabels = labelSampler.labels(globalBatch, using: &random)
        let fakeLabels = shardRows(allFakeLabels)
        generator.detachParameters()
        var fake = generator(z, labels: fakeLabels).detached
        var real = real
        if let augmentation {
            real = augmentation.apply(real, using: &random, shard: shardPeer?.shard ?? 0, of: shardCount)
            fake = augmentation.apply(fake, using: &random, shard: shardPeer?.shard ?? 0, of: shardCount)
        }
        let tape = Tape()
        let parameters = discriminator.watch(on: tape)
        let terms = discriminatorTerms(
            real: real, realLabels: realLabels, fake: fake, fakeLabels: fakeLabels, tape: tape, using: &random,
            allFakeLabels: allFakeLabels)
        let total = terms.hinge + terms.wasserstein + terms.penalty * penaltyWeight
        let (gradients, losses) = summedOverShards(
            tape.gradients(of: total, withRespectTo: parameters),
            losses: [terms.hinge.scalar, terms.wasserstein.scalar, terms.penalty.scalar, total.scalar])
        try discriminatorOptimizer.update(discriminator.trainableParameters, gradients: gradients)
        return DiscriminatorLosses(hinge: losses[0], wasserstein: losses[1], penalty: losses[2], total: losses[3])
    }

    /// The discriminator's loss terms on a real and a fake batch, recorded on `tape`: the hinge of
    /// D_c over real examples and the *seen-class* fakes only (an unseen-class fake never reaches
    /// D_c), the WGAN critic of D_u over every fake, and D_u's gradient penalty (unweighted). Terms
    /// the method does not use are 0. With a `shardPeer`, the terms are this shard's share of the
    /// whole batch's (`allFakeLabels` are the whole batch's fake labels).
    public func discriminatorTerms(
        real: Tensor, realLabels: [Int], fake: Tensor, fakeLabels: [Int], tape: Tape, using random: inout SplitMix64,
        allFakeLabels: [Int]? = nil
    ) -> (hinge: Tensor, wasserstein: Tensor, penalty: Tensor) {
        let batch = real.shape[0]
        let allFakeLabels = allFakeLabels ?? fakeLabels
        let both = Tensor.concatenate([real, fake], axis: 0)
        let (conditional, unconditional) = discriminator.heads(
            discriminator.features(both), labels: realLabels + fakeLabels)
        var hinge = Tensor(0)
        var wasserstein = Tensor(0)
        var penalty = Tensor(0)
        if method.usesConditionalHead {
            let fakeSeen = fakeLabels.map { seenClasses.contains($0) ? Float(1) : 0 }
            let realScores = conditional.slice(axis: 0, 0..<batch)
            let fakeScores = conditional.slice(axis: 0, batch..<(2 * batch))
            if shardPeer == nil {
                hinge = ProbeGANLosses.conditionalHinge(real: realScores, fake: fakeScores, fakeSeen: fakeSeen)
            } else {
                // The two means of the hinge have different denominators: every real example, and
                // the seen-class fakes of the whole batch.
                hinge =
                    shareOfBatch((1 - realScores).relu().mean())
                    + shareOfSeen(
                        ProbeGANLosses.maskedMean((1 + fakeScores).relu(), mask: fakeSeen), labels: fakeLabels,
                        allLabels: allFakeLabels)
            }
        }
        if method.usesUnconditionalHead {
            wasserstein = shareOfBatch(
                ProbeGANLosses.wassersteinCritic(
                    real: unconditional.slice(axis: 0, 0..<batch),
                    fake: unconditional.slice(axis: 0, batch..<(2 * batch))))
            let epsilon = shardRows(Tensor.randomUniform([batch * shardCount, 1, 1, 1], using: &random))
            let mixed = tape.watch((epsilon * real + (1 - epsilon) * fake).detached)
            let critic = discriminator.unconditional(discriminator.features(mixed))
            let inputGradient = tape.gradients(of: critic.sum(), withRespectTo: [mixed], createGraph: true)[0]
            penalty = shareOfBatch(ProbeGANLosses.gradientPenalty(inputGradient: inputGradient))
        }
        return (hinge, wasserstein, penalty)
    }

    /// One generator step.
    /// With a `shardPeer`, `batch` is the whole batch, of which this step computes its shard.
    public func generatorStep(batch: Int, using random: inout SplitMix64) throws -> GeneratorLosses {
        precondition(batch % shardCount == 0, "a batch of \(batch) does not split into \(shardCount) shards")
        let z = shardRows(Tensor.randomNormal([batch, generator.latentFeatures], using: &random))
        let allLabels = labelSampler.labels(batch, using: &random)
        let labels = shardRows(allLabels)
        discriminator.detachParameters()
        let tape = Tape()
        let parameters = generator.watch(on: tape)
        let images = generator(z, labels: labels)
        let seenByDiscriminator =
            augmentation.map { $0.apply(images, using: &random, shard: shardPeer?.shard ?? 0, of: shardCount) }
            ?? images
        let (conditional, unconditional) = discriminator.heads(
            discriminator.features(seenByDiscriminator), labels: labels)
        var total = Tensor(0)
        var conditionalLoss = Tensor(0)
        var unconditionalLoss = Tensor(0)
        var classification = Tensor(0)
        if method.usesConditionalHead {
            let seen = labels.map { seenClasses.contains($0) ? Float(1) : 0 }
            conditionalLoss = -shareOfSeen(
                ProbeGANLosses.maskedMean(conditional, mask: seen), labels: labels, allLabels: allLabels)
            total = total + conditionalLoss
        }
        if method.usesUnconditionalHead {
            unconditionalLoss = -shareOfBatch(unconditional.mean())
            total = total + unconditionalLoss
        }
        if method.usesClassifierDuringTraining, let seenWeight = seenClassifierWeight {
            let logits = classifier.logits(images)
            let weights = labels.map { seenClasses.contains($0) ? seenWeight : classifierWeight }
            classification = shareOfBatch(Tensor.crossEntropy(logits: logits, labels: labels).detached)
            total = total + shareOfBatch(Tensor.crossEntropy(logits: logits, labels: labels, rowWeights: weights))
        } else if method.usesClassifierDuringTraining && classifierWeight > 0 {
            classification = shareOfBatch(Tensor.crossEntropy(logits: classifier.logits(images), labels: labels))
            total = total + classification * classifierWeight
        }
        let (gradients, losses) = summedOverShards(
            tape.gradients(of: total, withRespectTo: parameters),
            losses: [conditionalLoss.scalar, unconditionalLoss.scalar, classification.scalar, total.scalar])
        try generatorOptimizer.update(generator.trainableParameters, gradients: gradients)
        return GeneratorLosses(
            conditional: losses[0], unconditional: losses[1], classification: losses[2], total: losses[3])
    }

    // MARK: - Shards (data-parallel training)

    /// Shards of every batch (1 without a `shardPeer`).
    var shardCount: Int { shardPeer?.shardCount ?? 1 }

    /// This shard's rows of a whole batch's tensor (all of it without a `shardPeer`).
    func shardRows(_ whole: Tensor) -> Tensor {
        guard let peer = shardPeer else { return whole }
        let rows = whole.shape[0] / peer.shardCount
        return whole.slice(axis: 0, (peer.shard * rows)..<((peer.shard + 1) * rows))
    }

    /// This shard's entries of a whole batch's list.
    func shardRows<Element>(_ whole: [Element]) -> [Element] {
        guard let peer = shardPeer else { return whole }
        let rows = whole.count / peer.shardCount
        return Array(whole[(peer.shard * rows)..<((peer.shard + 1) * rows)])
    }

    /// A mean over this shard's examples as its share of the mean over the whole batch.
    func shareOfBatch(_ mean: Tensor) -> Tensor {
        guard let peer = shardPeer else { return mean }
        return mean * (1 / Float(peer.shardCount))
    }

    /// A mean over this shard's seen-class fakes as its share of the mean over the whole batch's.
    func shareOfSeen(_ mean: Tensor, labels: [Int], allLabels: [Int]) -> Tensor {
        guard shardPeer != nil else { return mean }
        let local = labels.filter { seenClasses.contains($0) }.count
        let whole = allLabels.filter { seenClasses.contains($0) }.count
        return whole == 0 ? mean * 0 : mean * (Float(local) / Float(whole))
    }

    /// Gradients and loss values summed over every shard in one fixed order (unchanged without a `shardPeer`).
    func summedOverShards(_ gradients: [Tensor], losses: [Float]) -> (gradients: [Tensor], losses: [Float]) {
        guard let peer = shardPeer else { return (gradients, losses) }
        var flat = [Float]()
        flat.reserveCapacity(gradients.reduce(losses.count) { $0 + $1.count })
        for gradient in gradients { flat += gradient.scalars }
        flat += losses
        let total = peer.sum(flat)
        var offset = 0
        let summed = gradients.map { gradient in
            defer { offset += gradient.count }
            return Tensor(shape: gradient.shape, scalars: Array(total[offset..<(offset + gradient.count)]))
        }
        return (summed, Array(total[offset...]))
    }
}
