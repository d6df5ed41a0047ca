import StudioNN
import StudioSupport
import StudioTensor

/// A residual block of the classifier: conv-BN-ReLU-conv-BN plus a shortcut (1x1 conv when the
/// width changes), ReLU, then 2x2 average pooling when it downsamples.
final class ResidualBlock: Module, @unchecked Sendable {
    let conv1: Conv2d, norm1: BatchNorm2d, conv2: Conv2d, norm2: BatchNorm2d
    let shortcut: Conv2d?
    let downsamples: Bool

    init(inputChannels: Int, outputChannels: Int, downsamples: Bool, using generator: inout SplitMix64) {
        conv1 = Conv2d(
            inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1, bias: false,
            using: &generator)
        norm1 = BatchNorm2d(channels: outputChannels)
        conv2 = Conv2d(
            inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1, bias: false,
            using: &generator)
        norm2 = BatchNorm2d(channels: outputChannels)
        shortcut =
            inputChannels == outputChannels
            ? nil
            : Conv2d(
                inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, bias: false,
                using: &generator)
        self.downsamples = downsamples
        super.init()
    }

    override func children() -> [(String, Module)] {
        [("conv1", conv1), ("bn1", norm1), ("conv2", conv2), ("bn2", norm2)] + (shortcut.map { [("sc", $0)] } ?? [])
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = norm2(conv2(norm1(conv1(x)).relu()))
        let out = (h + (shortcut.map { $0(x) } ?? x)).relu()
        return downsamples ? out.averagePooled2x2() : out
    }
}

/// The compact residual CNN probed by ProbeGAN: a 3x3 stem, residual blocks that halve the plane
/// and widen the channels, global average pooling and a linear layer. For 1x64x64 log-mel images
/// with the default widths it has about 0.3 M parameters.
public final class ResidualClassifier: Module, @unchecked Sendable {
    let stem: Conv2d
    let stemNorm: BatchNorm2d
    let blocks: [ResidualBlock]
    let head: Linear

    /// A classifier for `inputChannels`-channel images and `classCount` classes.
    public init(inputChannels: Int, classCount: Int, widths: [Int] = [32, 64, 128], using generator: inout SplitMix64) {
        stem = Conv2d(
            inputChannels: inputChannels, outputChannels: widths[0], kernelSize: 3, padding: 1, bias: false,
            using: &generator)
        stemNorm = BatchNorm2d(channels: widths[0])
        let channels = [widths[0]] + widths
        blocks = (0..<widths.count).map {
            ResidualBlock(
                inputChannels: channels[$0], outputChannels: channels[$0 + 1], downsamples: true, using: &generator)
        }
        head = Linear(inputFeatures: widths[widths.count - 1], outputFeatures: classCount, using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] {
        [("stem", stem), ("stem_bn", stemNorm)]
            + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as Module) }
            + [("fc", head)]
    }

    /// Logits `[N, classCount]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = stemNorm(stem(x)).relu()
        for block in blocks { h = block(h) }
        return head(h.globalSumPooled() / Float(h.shape[2] * h.shape[3]))
    }

    /// The penultimate features `[N, width]` (for Frechet distances).
    public func features(_ x: Tensor) -> Tensor {
        var h = stemNorm(stem(x)).relu()
        for block in blocks { h = block(h) }
        return h.globalSumPooled() / Float(h.shape[2] * h.shape[3])
    }
}
