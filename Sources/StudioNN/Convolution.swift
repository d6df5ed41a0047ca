import StudioSupport
import StudioTensor

/// A 2-D convolution layer, optionally spectrally normalised.
///
/// Input `[batch, inputChannels, height, width]` (torch: `nn.Conv2d`, square kernels).
public final class Conv2d: Module, @unchecked Sendable {
    /// `[outputChannels, inputChannels, kernelSize, kernelSize]`.
    public let weight: Parameter
    /// `[outputChannels]`, if any.
    public let bias: Parameter?
    /// Stride and zero padding.
    public let stride: Int, padding: Int
    /// Spectral normalisation of the weight, if any.
    public let spectralNorm: SpectralNormalization?

    /// A layer with PyTorch's default initialisation.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, spectralNorm: Bool = false, using generator: inout SplitMix64
    ) {
        let fanIn = inputChannels * kernelSize * kernelSize
        let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
        weight = Parameter(Initializer.uniformFanIn(shape, fanIn: fanIn, using: &generator))
        self.bias = bias ? Parameter(Initializer.uniformFanIn([outputChannels], fanIn: fanIn, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.spectralNorm = spectralNorm ? SpectralNormalization(weight: weight.value, using: &generator) : nil
        super.init()
    }

    override public func ownParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    override public func ownBuffers() -> [(String, Buffer)] { spectralNorm?.buffers ?? [] }

    /// The convolution of `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let kernel = spectralNorm?.normalize(weight.value, training: isTraining) ?? weight.value
        return Tensor.conv2d(x, weight: kernel, bias: bias?.value, stride: stride, padding: padding)
    }
}
