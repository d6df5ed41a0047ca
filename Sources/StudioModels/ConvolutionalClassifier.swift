import StudioNN
import StudioSupport
import StudioTensor

/// A plain (VGG-style) CNN: stages of conv-BN-ReLU layers with 2x2 max pooling between stages,
/// global average pooling and a linear layer. With one convolution per stage and widths 32, 64, 128
/// it is the small CNN of the reference training step; with two per stage and four stages it is the
/// independent judge.
public final class ConvolutionalClassifier: Module, @unchecked Sendable {
    let convolutions: [Conv2d]
    let norms: [BatchNorm2d]
    let head: Linear

    /// Convolutions per stage; pooling follows the last convolution of every stage but the last.
    let convolutionsPerStage: Int

    /// A classifier for `inputChannels`-channel images and `classCount` classes.
    public init(
        inputChannels: Int, classCount: Int, widths: [Int] = [32, 64, 128], convolutionsPerStage: Int = 1,
        using generator: inout SplitMix64
    ) {
        precondition(convolutionsPerStage >= 1, "a stage needs at least one convolution")
        let layerWidths = widths.flatMap { Array(repeating: $0, count: convolutionsPerStage) }
        let channels = [inputChannels] + layerWidths
        convolutions = (0..<layerWidths.count).map {
            Conv2d(
                inputChannels: channels[$0], outputChannels: channels[$0 + 1], kernelSize: 3, padding: 1,
                using: &generator)
        }
        norms = layerWidths.map { BatchNorm2d(channels: $0) }
        self.convolutionsPerStage = convolutionsPerStage
        head = Linear(inputFeatures: widths[widths.count - 1], outputFeatures: classCount, using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] {
        convolutions.enumerated().map { ("conv\($0.offset)", $0.element as Module) }
            + norms.enumerated().map { ("bn\($0.offset)", $0.element as Module) } + [("fc", head)]
    }

    /// Logits `[N, classCount]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { head(pooledFeatures(x)) }

    /// Globally averaged last-stage features `[N, width]`.
    func pooledFeatures(_ x: Tensor) -> Tensor {
        var h = x
        for (index, (convolution, norm)) in zip(convolutions, norms).enumerated() {
            h = norm(convolution(h)).relu()
            let endsStage = (index + 1) % convolutionsPerStage == 0
            if endsStage && index < convolutions.count - 1 { h = h.maxPooled2x2() }
        }
        return h.globalSumPooled() / Float(h.shape[2] * h.shape[3])
    }
}
