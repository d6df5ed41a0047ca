import StudioSupport
import StudioTensor

/// Batch normalisation over `[N, C, H, W]` per channel (torch: `nn.BatchNorm2d`).
///
/// Training mode normalises with the batch's mean and biased variance and updates running
/// statistics (unbiased variance, momentum 0.1); evaluation mode uses the running statistics.
public final class BatchNorm2d: Module, @unchecked Sendable {
    /// Per-channel scale and shift, if affine.
    public let weight: Parameter?, bias: Parameter?
    /// Running statistics.
    public let runningMean: Buffer, runningVariance: Buffer
    /// Added to the variance (torch: `eps=1e-5`).
    public let epsilon: Float
    /// Weight of the new batch in the running statistics (torch: `momentum=0.1`).
    public var momentum: Float
    /// In data-parallel training, the shard of the batch this layer sees and the exchange with the
    /// other shards: training mode then normalises with the whole batch's statistics (synchronised
    /// batch norm). Nil: the batch is all there is.
    public var shardPeer: ShardPeer?

    /// A layer for `channels` channels.
    public init(channels: Int, affine: Bool = true, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        weight = affine ? Parameter(Tensor.ones([channels])) : nil
        bias = affine ? Parameter(Tensor.zeros([channels])) : nil
        runningMean = Buffer(Tensor.zeros([channels]))
        runningVariance = Buffer(Tensor.ones([channels]))
        self.epsilon = epsilon
        self.momentum = momentum
        super.init()
    }

    override public func ownParameters() -> [(String, Parameter)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    override public func ownBuffers() -> [(String, Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVariance)]
    }

    /// Normalises `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "BatchNorm2d needs NCHW, got \(x.shape)")
        let channels = x.shape[1]
        guard isTraining else { return doInference(x) }
        let normalized = doTraining(x)
        guard let weight, let bias else { return normalized }
        return normalized.channelAffine(
            scale: weight.value.reshaped([1, channels, 1, 1]), shift: bias.value.reshaped([1, channels, 1, 1]))
    }

    private func doTraining(_ x: Tensor) -> Tensor {
        let (output, mean, variance) =
            shardPeer.map { x.batchNormalized(epsilon: epsilon, sharedWith: $0) } ?? x.batchNormalized(epsilon: epsilon)
        let perChannel = x.count / x.shape[1] * (shardPeer?.shardCount ?? 1)
        let unbiased = Float(perChannel) / Float(max(perChannel - 1, 1))
        let channels = x.shape[1]
        runningMean.value =
            (runningMean.value * (1 - momentum) + Tensor(shape: [channels], scalars: mean) * momentum).detached
        runningVariance.value =
            (runningVariance.value * (1 - momentum) + Tensor(shape: [channels], scalars: variance)
            * (momentum * unbiased))
            .detached
        return output
    }

    /// `(x - mean) / sqrt(variance + epsilon) * weight + bias` with the running statistics, as one
    /// per-channel scale and shift of `x` (one pass over the activations each way).
    private func doInference(_ x: Tensor) -> Tensor {
        let channels = x.shape[1]
        let inverseDeviation = 1 / (runningVariance.value + epsilon).sqrt()
        let scale = weight.map { $0.value * inverseDeviation } ?? inverseDeviation
        let shift = (bias?.value ?? Tensor.zeros([channels])) - runningMean.value * scale
        return x.channelAffine(scale: scale.reshaped([1, channels, 1, 1]), shift: shift.reshaped([1, channels, 1, 1]))
    }
}

/// Conditional batch normalisation: batch norm without affine, then a per-sample gain and bias from
/// a condition vector, `bn(x) * (1 + gain(c)) + bias(c)` (BigGAN's generator blocks).
public final class ConditionalBatchNorm2d: Module, @unchecked Sendable {
    /// The normalisation (no affine of its own).
    public let batchNorm: BatchNorm2d
    /// Condition to per-channel gain offset.
    public let gain: Linear
    /// Condition to per-channel bias.
    public let bias: Linear

    /// A layer for `channels` channels conditioned on `conditionFeatures`-long vectors.
    public init(channels: Int, conditionFeatures: Int, spectralNorm: Bool = false, using generator: inout SplitMix64) {
        batchNorm = BatchNorm2d(channels: channels, affine: false)
        gain = Linear(
            inputFeatures: conditionFeatures, outputFeatures: channels, spectralNorm: spectralNorm, using: &generator)
        bias = Linear(
            inputFeatures: conditionFeatures, outputFeatures: channels, spectralNorm: spectralNorm, using: &generator)
        super.init()
    }

    override public func children() -> [(String, Module)] { [("bn", batchNorm), ("gain", gain), ("bias", bias)] }

    /// `bn(x) * (1 + gain(condition)) + bias(condition)`; `condition` is `[N, conditionFeatures]`.
    public func callAsFunction(_ x: Tensor, condition: Tensor) -> Tensor {
        let channels = x.shape[1]
        let scale = (gain(condition) + 1).reshaped([x.shape[0], channels, 1, 1])
        let shift = bias(condition).reshaped([x.shape[0], channels, 1, 1])
        return batchNorm(x).channelAffine(scale: scale, shift: shift)
    }
}
