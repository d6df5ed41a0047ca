import StudioModels
import StudioTensor

/// A generator seen as a stack of ReLU layers `G = f_{L:1}` (the E-GBAS paper's notation): the
/// pre-activation of every layer can be read, and any layer's ReLU output can be masked.
public protocol LayeredGenerator {
    /// Latent width `D_z`.
    var latentFeatures: Int { get }
    /// Names of the ReLU layers, in forward order (indices are 0-based).
    var layerNames: [String] { get }
    /// The pre-activation `f_{l:1}(z)` of `layer` for latents `z [N, D_z]`: `[N, units...]`.
    func preActivations(_ z: Tensor, layer: Int) -> Tensor
    /// `G(z)` with `layer`'s ReLU output multiplied by `mask` (broadcast to the pre-activation's
    /// shape), or plain `G(z)` when `mask` is nil.
    func outputs(_ z: Tensor, layer: Int, mask: Tensor?) -> Tensor
}

extension LayeredGenerator {
    /// Checks that `layer` exists.
    public func validate(layer: Int) throws {
        guard layerNames.indices.contains(layer) else { throw ExploreError.unknownLayer(layer, names: layerNames) }
    }

    /// Plain `G(z)`.
    public func outputs(_ z: Tensor) -> Tensor { outputs(z, layer: 0, mask: nil) }
}

/// One class of a trained class-conditional generator (in evaluation mode) as a layered generator.
public struct ClassConditionalGenerator: LayeredGenerator, @unchecked Sendable {
    /// The generator (its parameters are treated as constants).
    public let generator: Generator
    /// The class rendered.
    public let label: Int

    /// Wraps `generator` for class `label`.
    public init(generator: Generator, label: Int) {
        generator.detachParameters()
        self.generator = generator
        self.label = label
    }

    /// Latent width.
    public var latentFeatures: Int { generator.latentFeatures }
    /// The generator's ReLU layers.
    public var layerNames: [String] { generator.activationLayerNames }

    /// Pre-activations of `layer`.
    public func preActivations(_ z: Tensor, layer: Int) -> Tensor {
        generator(z, classEmbedding: embeddings(z.shape[0]), tap: GeneratorTap(stopAt: layer))
    }

    /// Images with `layer` masked.
    public func outputs(_ z: Tensor, layer: Int, mask: Tensor?) -> Tensor {
        generator(
            z, classEmbedding: embeddings(z.shape[0]),
            tap: mask.map { GeneratorTap(maskLayer: layer, mask: $0) })
    }

    func embeddings(_ count: Int) -> Tensor {
        generator.classEmbedding(Array(repeating: label, count: count))
    }
}
