import StudioModels
import StudioNN
import StudioSupport
import StudioTensor

/// Sampling from a trained generator: batch-norm "standing statistics" first, then evaluation mode.
public enum GeneratorSampling {
    /// A copy of `generator` whose batch norms hold plain averages of batch statistics over
    /// `batches` random batches (labels from `labels`), in evaluation mode. The original is untouched.
    public static func prepared(
        _ generator: Generator, configuration: ProbeGANConfiguration, labels: FakeLabelSampler,
        batches: Int = 16, batchSize: Int = 64, seed: UInt64
    ) -> Generator {
        let copy = ProbeGANModels.copy(generator, configuration)
        copy.detachParameters()
        let norms = copy.allModules().compactMap { $0 as? BatchNorm2d }
        let saved = norms.map(\.momentum)
        for norm in norms {
            norm.runningMean.value = Tensor.zeros(norm.runningMean.value.shape)
            norm.runningVariance.value = Tensor.ones(norm.runningVariance.value.shape)
        }
        copy.setTraining(true)
        var random = SplitMix64(seed: seed)
        for batch in 0..<batches {
            // Momentum 1/(k+1): the k-th update keeps a plain running average.
            for norm in norms { norm.momentum = 1 / Float(batch + 1) }
            let z = Tensor.randomNormal([batchSize, generator.latentFeatures], using: &random)
            _ = copy(z, labels: labels.labels(batchSize, using: &random))
        }
        for (norm, momentum) in zip(norms, saved) { norm.momentum = momentum }
        copy.setTraining(false)
        return copy
    }

    /// `generator` prepared as a training run prepares its EMA generator for every evaluation and
    /// for the selected checkpoint: the run's label mix and a seed fixed by the run's seed.
    public static func prepared(_ generator: Generator, configuration: ProbeGANConfiguration) -> Generator {
        prepared(
            generator, configuration: configuration, labels: FakeLabelSampler(configuration: configuration),
            seed: configuration.seed &+ 0x5EED)
    }

    /// `count` samples of class `label` `[count, C, H, W]`, from latents drawn with `seed`.
    public static func samples(
        _ generator: Generator, label: Int, count: Int, seed: UInt64, batchSize: Int = 64
    ) -> Tensor {
        var random = SplitMix64(seed: seed)
        var parts = [Tensor]()
        var done = 0
        while done < count {
            let size = min(batchSize, count - done)
            let z = Tensor.randomNormal([size, generator.latentFeatures], using: &random)
            parts.append(generator(z, labels: Array(repeating: label, count: size)).detached)
            done += size
        }
        return parts.count == 1 ? parts[0] : Tensor.concatenate(parts, axis: 0)
    }
}
