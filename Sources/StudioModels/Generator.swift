import StudioNN
import StudioSupport
import StudioTensor

/// A BigGAN-style residual up-block: conditional BN, ReLU, nearest 2x upsampling, 3x3 convolutions,
/// and a 1x1 shortcut on the upsampled input.
public final class GeneratorBlock: Module, @unchecked Sendable {
    let norm1: ConditionalBatchNorm2d
    let conv1: Conv2d
    let norm2: ConditionalBatchNorm2d
    let conv2: Conv2d
    let shortcut: Conv2d

    init(
        inputChannels: Int, outputChannels: Int, conditionFeatures: Int, spectralNorm: Bool,
        using generator: inout SplitMix64
    ) {
        norm1 = ConditionalBatchNorm2d(channels: inputChannels, conditionFeatures: conditionFeatures, using: &generator)
        conv1 = Conv2d(
            inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1,
            spectralNorm: spectralNorm, using: &generator)
        norm2 = ConditionalBatchNorm2d(
            channels: outputChannels, conditionFeatures: conditionFeatures, using: &generator)
        conv2 = Conv2d(
            inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1,
            spectralNorm: spectralNorm, using: &generator)
        shortcut = Conv2d(
            inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, spectralNorm: spectralNorm,
            using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] {
        [("bn1", norm1), ("conv1", conv1), ("bn2", norm2), ("conv2", conv2), ("sc", shortcut)]
    }

    func callAsFunction(_ x: Tensor, condition: Tensor) -> Tensor {
        forward(x, condition: condition, tap: nil, firstLayer: 0).output
    }

    /// The block with its two ReLU layers (`firstLayer`, `firstLayer + 1`) open to `tap`: the
    /// pre-activation is handed out (and the forward pass stops) at `tap.stopAt`, and the ReLU output
    /// is multiplied by `tap.mask` at `tap.maskLayer`.
    func forward(_ x: Tensor, condition: Tensor, tap: GeneratorTap?, firstLayer: Int) -> (
        output: Tensor, stopped: Tensor?
    ) {
        let first = norm1(x, condition: condition)
        if tap?.stopAt == firstLayer { return (first, first) }
        var h = GeneratorTap.activate(first, layer: firstLayer, tap: tap).upsampledNearest2x()
        let second = norm2(conv1(h), condition: condition)
        if tap?.stopAt == firstLayer + 1 { return (second, second) }
        h = conv2(GeneratorTap.activate(second, layer: firstLayer + 1, tap: tap))
        return (h + shortcut(x.upsampledNearest2x()), nil)
    }
}

/// A look inside the generator's ReLU layers (E-GBAS): stop at one layer and return its
/// pre-activation, or multiply one layer's ReLU output by a mask (Bernoulli dropout of its units).
public struct GeneratorTap: Sendable {
    /// Return the pre-activation of this layer instead of an image.
    public var stopAt: Int?
    /// Multiply this layer's ReLU output by `mask` (broadcast to `[N, C, H, W]`).
    public var maskLayer: Int?
    /// The mask.
    public var mask: Tensor?

    /// A tap that stops at `stopAt` or masks `maskLayer`.
    public init(stopAt: Int? = nil, maskLayer: Int? = nil, mask: Tensor? = nil) {
        self.stopAt = stopAt
        self.maskLayer = maskLayer
        self.mask = mask
    }

    static func activate(_ preActivation: Tensor, layer: Int, tap: GeneratorTap?) -> Tensor {
        let active = preActivation.relu()
        guard let tap, tap.maskLayer == layer, let mask = tap.mask else { return active }
        return active * mask
    }
}

/// The class-conditional generator: `G(z, y)`, a hierarchical-latent BigGAN (the latent and a
/// shared class embedding condition every block's batch norm), tanh output in [-1, 1].
///
/// The embedding has a row for every class, unseen ones included: ProbeGAN renders an unseen class
/// through its row, trained only by the classifier's loss.
public final class Generator: Module, @unchecked Sendable {
    /// Latent size.
    public let latentFeatures: Int
    /// Output channels and side.
    public let outputChannels: Int, resolution: Int
    let embedding: Embedding
    let input: Linear
    let blocks: [GeneratorBlock]
    let finalNorm: BatchNorm2d
    let output: Conv2d
    let baseChannels: Int

    /// A generator whose blocks go through `widths` (4x4 doubling per block up to `4 * 2^(widths.count - 1)`).
    public init(
        classCount: Int, widths: [Int], outputChannels: Int, latentFeatures: Int = 128, embeddingFeatures: Int = 128,
        spectralNorm: Bool = false, using generator: inout SplitMix64
    ) {
        precondition(widths.count >= 2, "Generator needs at least two widths, got \(widths)")
        self.latentFeatures = latentFeatures
        self.outputChannels = outputChannels
        resolution = 4 << (widths.count - 1)
        baseChannels = widths[0]
        embedding = Embedding(count: classCount, dimension: embeddingFeatures, using: &generator)
        input = Linear(
            inputFeatures: latentFeatures, outputFeatures: 16 * widths[0], spectralNorm: spectralNorm, using: &generator
        )
        var blocks = [GeneratorBlock]()
        for index in 0..<(widths.count - 1) {
            blocks.append(
                GeneratorBlock(
                    inputChannels: widths[index], outputChannels: widths[index + 1],
                    conditionFeatures: latentFeatures + embeddingFeatures, spectralNorm: spectralNorm, using: &generator
                ))
        }
        self.blocks = blocks
        finalNorm = BatchNorm2d(channels: widths[widths.count - 1])
        output = Conv2d(
            inputChannels: widths[widths.count - 1], outputChannels: outputChannels, kernelSize: 3, padding: 1,
            spectralNorm: spectralNorm, using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] {
        [("embed", embedding), ("fc", input)] + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element) }
            + [("bn", finalNorm), ("out", output)]
    }

    /// The class embedding table `[classes, embeddingFeatures]` (a row for every class, unseen ones included).
    public var classEmbeddings: Parameter { embedding.weight }

    /// Images `[N, outputChannels, resolution, resolution]` for latents `z [N, latentFeatures]` and labels.
    public func callAsFunction(_ z: Tensor, labels: [Int]) -> Tensor {
        callAsFunction(z, classEmbedding: embedding(labels))
    }

    /// Images from latents and explicit class embeddings `[N, embeddingFeatures]` (GAN-AM optimises these).
    public func callAsFunction(_ z: Tensor, classEmbedding: Tensor) -> Tensor {
        callAsFunction(z, classEmbedding: classEmbedding, tap: nil)
    }

    /// The ReLU layers a `GeneratorTap` can reach, in forward order: two per block, then the
    /// final one before the output convolution.
    public var activationLayerNames: [String] {
        blocks.indices.flatMap { ["block\($0 + 1).relu1", "block\($0 + 1).relu2"] } + ["final.relu"]
    }

    /// The forward pass with a tap: images, or the pre-activation `[N, C, H, W]` of `tap.stopAt`.
    public func callAsFunction(_ z: Tensor, classEmbedding: Tensor, tap: GeneratorTap?) -> Tensor {
        let condition = Tensor.concatenate([z, classEmbedding], axis: 1)
        var h = input(z).reshaped([z.shape[0], baseChannels, 4, 4])
        for (index, block) in blocks.enumerated() {
            let result = block.forward(h, condition: condition, tap: tap, firstLayer: 2 * index)
            if let stopped = result.stopped { return stopped }
            h = result.output
        }
        let last = finalNorm(h)
        if tap?.stopAt == 2 * blocks.count { return last }
        return output(GeneratorTap.activate(last, layer: 2 * blocks.count, tap: tap)).tanh()
    }

    /// The class embedding rows of `labels` `[N, embeddingFeatures]`.
    public func classEmbedding(_ labels: [Int]) -> Tensor { embedding(labels) }
}
