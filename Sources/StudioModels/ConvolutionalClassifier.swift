import StudioNN
import StudioSupport
import StudioTensor

/// The small CNN of the reference training step: three conv-BN-ReLU stages (32, 64, 128 channels)
/// with 2x2 max pooling between them, global average pooling and a linear layer.
public final class ConvolutionalClassifier: Module, @unchecked Sendable {
    let convolutions: [Conv2d]
    let norms: [BatchNorm2d]
    let head: Linear

    /// A classifier for `inputChannels`-channel images and `classCount` classes.
    public init(inputChannels: Int, classCount: Int, widths: [Int] = [32, 64, 128], using generator: inout SplitMix64) {
        let channels = [inputChannels] + widths
        convolutions = (0..<widths.count).map {
            Conv2d(
                inputChannels: channels[$0], outputChannels: channels[$0 + 1], kernelSize: 3, padding: 1,
                using: &generator)
        }
        norms = widths.map { BatchNorm2d(channels: $0) }
        head = Linear(inputFeatures: widths[widths.count - 1], outputFeatures: classCount, using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] {
        convolutions.enumerated().map { ("conv\($0.offset)", $0.element as Module) }
            + norms.enumerated().map { ("bn\($0.offset)", $0.element as Module) } + [("fc", head)]
    }

    /// Logits `[N, classCount]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (index, (convolution, norm)) in zip(convolutions, norms).enumerated() {
            h = norm(convolution(h)).relu()
            if index < convolutions.count - 1 { h = h.maxPooled2x2() }
        }
        let plane = Float(h.shape[2] * h.shape[3])
        return head(h.globalSumPooled() / plane)
    }
}
