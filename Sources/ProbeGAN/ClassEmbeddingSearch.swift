import StudioModels
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// GAN-AM (BigGAN-AM, Li et al. 2020, as ported by the ProbeGAN code): search a class embedding
/// that makes a GAN trained on the seen classes render what the classifier calls the target class.
/// The start is the mean of the seen classes' embeddings plus 0.1 N(0, 1); Adam (step 0.1, weight
/// decay 0.9) minimises the classifier's cross-entropy for the target on fresh latents every
/// `stepsPerLatent` steps; the embedding is clamped to [-2, 2].
public struct ClassEmbeddingSearch: Sendable {
    /// Adam steps in all, steps per latent draw, latents per draw.
    public var steps = 200, stepsPerLatent = 20, latents = 10
    /// Adam step size and weight decay.
    public var learningRate: Float = 0.1, weightDecay: Float = 0.9
    /// Clamp of every embedding entry.
    public var bound: Float = 2

    /// A search with BigGAN-AM's settings.
    public init() {}

    /// The embedding found for `target`, and the cross-entropy at each step. `generator` must be in
    /// evaluation mode; it and the classifier are used as constants.
    public func search(
        generator: Generator, classifier: any ImageClassifier, target: Int, seenClasses: [Int], seed: UInt64
    ) throws -> (embedding: [Float], losses: [Float]) {
        var random = SplitMix64(seed: seed)
        generator.detachParameters()
        classifier.detachParameters()
        let table = generator.classEmbeddings.value
        let width = table.shape[1]
        let rows = table.scalars
        var start = [Float](repeating: 0, count: width)
        for row in seenClasses {
            for column in 0..<width { start[column] += rows[row * width + column] / Float(seenClasses.count) }
        }
        let noise = Tensor.randomNormal([width], using: &random).scalars
        let embedding = Parameter(Tensor(shape: [1, width], scalars: zip(start, noise).map { $0 + 0.1 * $1 }))
        let optimizer = Adam(learningRate: learningRate, weightDecay: weightDecay)
        var losses = [Float]()
        var z = Tensor.randomNormal([latents, generator.latentFeatures], using: &random)
        for step in 0..<steps {
            if step > 0 && step % stepsPerLatent == 0 {
                z = Tensor.randomNormal([latents, generator.latentFeatures], using: &random)
            }
            let tape = Tape()
            let e = tape.watch(embedding.value)
            let repeated = e.broadcast(to: [latents, width])
            let images = generator(z, classEmbedding: repeated)
            let loss = Tensor.crossEntropy(
                logits: classifier.logits(images), labels: Array(repeating: target, count: latents))
            losses.append(loss.scalar)
            try optimizer.update([embedding], gradients: tape.gradients(of: loss, withRespectTo: [e]))
            embedding.value = Tensor(
                shape: [1, width], scalars: embedding.value.scalars.map { min(max($0, -bound), bound) })
        }
        return (embedding.value.scalars, losses)
    }
}
