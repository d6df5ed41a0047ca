import StudioModels
import StudioNN
import StudioSupport

/// Builds the networks a configuration describes.
public enum ProbeGANModels {
    /// The class-conditional generator (spectrally normalised, an embedding row for every class).
    public static func generator(_ configuration: ProbeGANConfiguration, seed: UInt64) -> Generator {
        var random = SplitMix64(seed: seed)
        return Generator(
            classCount: configuration.classNames.count, widths: configuration.generatorWidths,
            outputChannels: configuration.inputShape[0], latentFeatures: configuration.latentFeatures,
            embeddingFeatures: configuration.embeddingFeatures, spectralNorm: true, using: &random)
    }

    /// The two-headed discriminator.
    public static func discriminator(_ configuration: ProbeGANConfiguration, seed: UInt64) -> Discriminator {
        var random = SplitMix64(seed: seed)
        return Discriminator(
            classCount: configuration.classNames.count, inputChannels: configuration.inputShape[0],
            widths: configuration.discriminatorWidths, downsamples: configuration.discriminatorDownsamples,
            using: &random)
    }

    /// A copy of `generator` (parameters and buffers) in a fresh module.
    public static func copy(_ generator: Generator, _ configuration: ProbeGANConfiguration) -> Generator {
        let copy = Self.generator(configuration, seed: 0)
        copyState(from: generator, to: copy)
        return copy
    }

    /// Gives `target` the parameters (detached) and buffers of `source`, a module of the same architecture.
    static func copyState(from source: Module, to target: Module) {
        for ((_, to), (_, from)) in zip(target.namedParameters(), source.namedParameters()) {
            to.value = from.value.detached
        }
        for ((_, to), (_, from)) in zip(target.namedBuffers(), source.namedBuffers()) { to.value = from.value }
    }
}
