import StudioNN
import StudioSupport
import StudioTensor

/// A BigGAN-style residual down-block with spectrally normalised convolutions. The first block is
/// "optimised" (no pre-activation; pool then shortcut conv), later ones pre-activate (conv then pool).
public final class DiscriminatorBlock: Module, @unchecked Sendable {
    let conv1: Conv2d
    let conv2: Conv2d
    let shortcut: Conv2d?
    let downsamples: Bool
    let preactivates: Bool

    init(
        inputChannels: Int, outputChannels: Int, downsamples: Bool, preactivates: Bool,
        using generator: inout SplitMix64
    ) {
        conv1 = Conv2d(
            inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1, spectralNorm: true,
            using: &generator)
        conv2 = Conv2d(
            inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1,
            spectralNorm: true,
            using: &generator)
        shortcut =
            inputChannels != outputChannels || downsamples
            ? Conv2d(
                inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, spectralNorm: true,
                using: &generator) : nil
        self.downsamples = downsamples
        self.preactivates = preactivates
        super.init()
    }

    override public func children() -> [(String, Module)] {
        [("conv1", conv1), ("conv2", conv2)] + (shortcut.map { [("sc", $0)] } ?? [])
    }

    /// The block's output and, for analysis (E-GBAS), nothing else.
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = preactivates ? x.relu() : x
        h = conv2(conv1(h).relu())
        if downsamples { h = h.averagePooled2x2() }
        var s = x
        if preactivates {
            if let shortcut { s = shortcut(s) }
            if downsamples { s = s.averagePooled2x2() }
        } else {
            if downsamples { s = s.averagePooled2x2() }
            if let shortcut { s = shortcut(s) }
        }
        return h + s
    }
}

/// The ProbeGAN discriminator: one spectrally normalised residual trunk with global sum pooling and
/// two heads on the same features, a projection head (conditional, `D_c`) and a plain linear head
/// (unconditional, `D_u`).
public final class Discriminator: Module, @unchecked Sendable {
    let blocks: [DiscriminatorBlock]
    let projectionLinear: Linear
    let projectionEmbedding: Embedding
    let unconditionalLinear: Linear

    /// A discriminator for `inputChannels`-channel images with the given block widths and downsampling.
    public init(
        classCount: Int, inputChannels: Int, widths: [Int], downsamples: [Bool], using generator: inout SplitMix64
    ) {
        precondition(
            widths.count == downsamples.count,
            "Discriminator: \(widths.count) widths, \(downsamples.count) downsampling flags")
        let channels = [inputChannels] + widths
        blocks = (0..<widths.count).map { index in
            DiscriminatorBlock(
                inputChannels: channels[index], outputChannels: channels[index + 1], downsamples: downsamples[index],
                preactivates: index > 0, using: &generator)
        }
        let features = widths[widths.count - 1]
        projectionLinear = Linear(inputFeatures: features, outputFeatures: 1, spectralNorm: true, using: &generator)
        projectionEmbedding = Embedding(count: classCount, dimension: features, spectralNorm: true, using: &generator)
        unconditionalLinear = Linear(inputFeatures: features, outputFeatures: 1, using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] {
        blocks.enumerated().map { ("blocks.\($0.offset)", $0.element) }
            + [("proj_lin", projectionLinear), ("proj_emb", projectionEmbedding), ("w_lin", unconditionalLinear)]
    }

    /// The trunk's features `phi [N, C]`: blocks, ReLU, global sum pooling.
    public func features(_ x: Tensor) -> Tensor {
        var h = x
        for block in blocks { h = block(h) }
        return h.relu().globalSumPooled()
    }

    /// Every block's output, for feature-similarity metrics (E-GBAS).
    public func blockOutputs(_ x: Tensor) -> [Tensor] {
        var outputs = [Tensor]()
        var h = x
        for block in blocks {
            h = block(h)
            outputs.append(h)
        }
        return outputs
    }

    /// `D_c(phi, y) = w . phi + b + <embed(y), phi>` and `D_u(phi) = v . phi + c`, each `[N]`.
    public func heads(_ phi: Tensor, labels: [Int]) -> (conditional: Tensor, unconditional: Tensor) {
        let batch = phi.shape[0]
        let conditional =
            projectionLinear(phi).reshaped([batch])
            + (projectionEmbedding(labels) * phi).sum(alongAxes: [1]).reshaped([batch])
        return (conditional, unconditional(phi))
    }

    /// `D_u(phi)`.
    public func unconditional(_ phi: Tensor) -> Tensor { unconditionalLinear(phi).reshaped([phi.shape[0]]) }
}
