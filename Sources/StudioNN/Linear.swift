import StudioSupport
import StudioTensor

/// A fully connected layer `y = x W^T + b`, optionally spectrally normalised.
///
/// Input `[batch, inputFeatures]`, output `[batch, outputFeatures]` (torch: `nn.Linear`).
public final class Linear: Module, @unchecked Sendable {
    /// `[outputFeatures, inputFeatures]`.
    public let weight: Parameter
    /// `[outputFeatures]`, if any.
    public let bias: Parameter?
    /// Spectral normalisation of the weight, if any.
    public let spectralNorm: SpectralNormalization?

    /// A layer with PyTorch's default initialisation.
    public init(
        inputFeatures: Int, outputFeatures: Int, bias: Bool = true, spectralNorm: Bool = false,
        using generator: inout SplitMix64
    ) {
        weight = Parameter(
            Initializer.uniformFanIn([outputFeatures, inputFeatures], fanIn: inputFeatures, using: &generator))
        self.bias =
            bias ? Parameter(Initializer.uniformFanIn([outputFeatures], fanIn: inputFeatures, using: &generator)) : nil
        self.spectralNorm =
            spectralNorm ? SpectralNormalization(weight: weight.value, using: &generator) : nil
        super.init()
    }

    override public func ownParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    override public func ownBuffers() -> [(String, Buffer)] { spectralNorm?.buffers ?? [] }

    /// The weight actually applied (divided by its spectral norm when normalised).
    public func effectiveWeight() -> Tensor {
        spectralNorm?.normalize(weight.value, training: isTraining) ?? weight.value
    }

    /// `x W^T + b`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.linear(x, weight: effectiveWeight(), bias: bias?.value)
    }
}

/// A learned lookup table: row `i` is the vector for index `i` (torch: `nn.Embedding`, N(0, 1) init).
public final class Embedding: Module, @unchecked Sendable {
    /// `[count, dimension]`.
    public let weight: Parameter
    /// Spectral normalisation of the table, if any (BigGAN's projection embedding).
    public let spectralNorm: SpectralNormalization?

    /// A table of `count` vectors of `dimension` floats.
    public init(count: Int, dimension: Int, spectralNorm: Bool = false, using generator: inout SplitMix64) {
        weight = Parameter(Tensor.randomNormal([count, dimension], using: &generator))
        self.spectralNorm =
            spectralNorm ? SpectralNormalization(weight: weight.value, using: &generator) : nil
        super.init()
    }

    override public func ownParameters() -> [(String, Parameter)] { [("weight", weight)] }
    override public func ownBuffers() -> [(String, Buffer)] { spectralNorm?.buffers ?? [] }

    /// The vectors for `indices`: `[indices.count, dimension]`.
    public func callAsFunction(_ indices: [Int]) -> Tensor {
        let table = spectralNorm?.normalize(weight.value, training: isTraining) ?? weight.value
        return table.gatherRows(indices)
    }
}
