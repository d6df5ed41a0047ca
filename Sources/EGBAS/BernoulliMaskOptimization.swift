import Foundation
import StudioNN
import StudioOptimizers
import StudioSupport
import StudioTensor

/// BerOpt (the E-GBAS paper's Algorithm 1): keep-probabilities `theta` on one layer's units such
/// that masking the query's activations with `m ~ Ber(theta)` keeps `G`'s output close to `G(z0)`,
/// with an L1 price on `theta`. Units with `theta > threshold` form the smallest supporting
/// generative boundary set; their signs at the query give the region.
///
/// Choices where the paper is silent (documented and tested): `theta = sigmoid(alpha)` so it stays
/// in [0, 1]; the Bernoulli sample is relaxed (binary Concrete, temperature 0.1) so gradients reach
/// `alpha`; the loss is the RMS output distance plus `sparsityWeight` times the *mean* of `theta`
/// (both independent of the layer's size, so one weight works for every layer); `masksPerStep`
/// masks are averaged per Adam step; `theta` starts at 0.9.
///
/// A unit that is inactive at the query (negative pre-activation) has no effect on the output
/// when masked, so only the sparsity term moves it: with `sparsityWeight > 0` it is dropped.
public struct BernoulliMaskOptimization: Sendable {
    /// The L1 weight lambda (on the mean keep-probability).
    public var sparsityWeight: Float = 0.2
    /// Adam steps, step size, masks averaged per step.
    public var steps = 150, masksPerStep = 8
    /// Adam step size on the logits of theta.
    public var learningRate: Float = 0.1
    /// Relaxed-Bernoulli temperature.
    public var temperature: Float = 0.1
    /// Initial keep-probability.
    public var initialKeep: Float = 0.9
    /// Units with theta above this are kept (the paper's p).
    public var threshold: Float = 0.5
    /// One theta per channel (shared over positions) instead of one per unit.
    public var perChannel = false

    /// BerOpt with the defaults above.
    public init() {}

    /// What BerOpt found for one query and layer.
    public struct Result: Sendable {
        /// The layer.
        public let layer: Int
        /// The keep-probability of every unit (per-channel values repeated over positions).
        public let keepProbability: [Float]
        /// The units kept (`theta > threshold`).
        public let kept: [Bool]
        /// The query's pre-activation of the layer, one value per unit.
        public let preActivation: [Float]
        /// The layer's unit shape (without the batch axis).
        public let unitShape: [Int]
        /// The loss at every step.
        public let losses: [Float]
        /// RMS distance between `G(z0)` and the output with only the kept units (a hard mask).
        public let keptOutputDistance: Float

        /// The region of the kept units (the SSGR).
        public var region: GenerativeRegion {
            GenerativeRegion(layer: layer, preActivation: preActivation, kept: kept)
        }
    }

    /// Runs BerOpt for query `z0 [1, D_z]` at `layer`.
    public func optimize(
        generator: any LayeredGenerator, query z0: Tensor, layer: Int, seed: UInt64
    ) throws -> Result {
        try generator.validate(layer: layer)
        guard z0.shape == [1, generator.latentFeatures] else {
            throw ExploreError.queryWidth(got: z0.count, expected: generator.latentFeatures)
        }
        guard threshold > 0, threshold < 1, initialKeep > 0, initialKeep < 1, temperature > 0, steps >= 0,
            masksPerStep > 0
        else {
            throw ExploreError.invalidSetting(
                name: "BerOpt settings", value: "p \(threshold), initial \(initialKeep), tau \(temperature)",
                expected: "0 < p < 1, 0 < initial keep < 1, temperature > 0, masks > 0")
        }
        let h0 = generator.preActivations(z0, layer: layer).detached
        let unitShape = Array(h0.shape.dropFirst())
        let target = generator.outputs(z0).detached
        var parameterShape = [1] + unitShape
        if perChannel && unitShape.count == 3 { parameterShape = [1, unitShape[0], 1, 1] }
        let logit = Float(log(Double(initialKeep / (1 - initialKeep))))
        let alpha = Parameter(
            Tensor(shape: parameterShape, scalars: Array(repeating: logit, count: parameterShape.reduce(1, *))))
        let optimizer = Adam(learningRate: learningRate)
        var random = SplitMix64(seed: seed)
        let queries = z0.broadcast(to: [masksPerStep, generator.latentFeatures]).detached
        let maskShape = [masksPerStep] + Array(parameterShape.dropFirst())
        let targets = target.broadcast(to: [masksPerStep] + Array(target.shape.dropFirst())).detached
        var losses = [Float]()
        for _ in 0..<steps {
            let tape = Tape()
            let a = tape.watch(alpha.value)
            let mask = Tensor.relaxedBernoulli(
                logits: a.broadcast(to: maskShape), temperature: temperature, using: &random)
            let masked = generator.outputs(queries, layer: layer, mask: mask)
            // + 1e-12 keeps the square root's derivative finite when a mask reproduces the query exactly.
            let distance = ((masked - targets).squared().flattenedBatch().mean(alongAxes: [1]) + 1e-12).sqrt().mean()
            let loss = distance + a.sigmoid().mean() * sparsityWeight
            let value = loss.scalar
            guard value.isFinite else { throw ExploreError.notFinite(stage: "BerOpt at layer \(layer)") }
            losses.append(value)
            try optimizer.update([alpha], gradients: tape.gradients(of: loss, withRespectTo: [a]))
        }
        let theta = alpha.value.sigmoid().broadcast(to: [1] + unitShape).scalars
        let kept = theta.map { $0 > threshold }
        let hard = Tensor(shape: [1] + unitShape, scalars: kept.map { $0 ? 1 : 0 })
        let keptOutput = generator.outputs(z0, layer: layer, mask: hard)
        let keptDistance = (keptOutput - target).squared().mean().scalar.squareRoot()
        return Result(
            layer: layer, keepProbability: theta, kept: kept, preActivation: h0.scalars, unitShape: unitShape,
            losses: losses, keptOutputDistance: keptDistance)
    }
}
