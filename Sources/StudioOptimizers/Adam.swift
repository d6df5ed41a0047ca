import Foundation
import StudioNN
import StudioTensor

/// Errors of the optimisers.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// A gradient holds NaN or infinity: the step was refused and no parameter changed.
    case nonFiniteGradient(parameter: Int, step: Int)
    /// Parameters and gradients do not pair up.
    case mismatch(parameters: Int, gradients: Int)
    /// A saved optimiser state does not fit a parameter's shape.
    case stateMismatch(parameter: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .nonFiniteGradient(let parameter, let step):
            return "gradient of parameter \(parameter) is NaN or infinite at step \(step); nothing was updated. "
                + "Lower the learning rate or resume from the last checkpoint"
        case .mismatch(let parameters, let gradients):
            return "\(parameters) parameters but \(gradients) gradients"
        case .stateMismatch(let parameter):
            return "the saved optimiser state of \(parameter) does not fit the model; was the checkpoint written "
                + "with other settings?"
        }
    }
}

extension OptimizerError {
    /// Checks that parameters and gradients pair up and that every gradient is finite, before any
    /// parameter changes.
    static func validate(_ parameters: [Parameter], _ gradients: [Tensor], step: Int) throws {
        guard parameters.count == gradients.count else {
            throw OptimizerError.mismatch(parameters: parameters.count, gradients: gradients.count)
        }
        for (index, gradient) in gradients.enumerated() {
            let finite = gradient.withPointer { pointer in (0..<gradient.count).allSatisfy { pointer[$0].isFinite } }
            if !finite { throw OptimizerError.nonFiniteGradient(parameter: index, step: step) }
        }
    }
}

/// Adam (torch: `optim.Adam`, L2 weight decay added to the gradient). `beta1` may be 0, as
/// BigGAN and ProbeGAN use.
///
/// ### References
/// - D. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
public final class Adam: @unchecked Sendable {
    /// Step size.
    public var learningRate: Float
    /// Decay rates of the first and second moment estimates.
    public let beta1: Float, beta2: Float
    /// Added to the denominator (torch: `eps=1e-8`).
    public let epsilon: Float
    /// L2 penalty coefficient.
    public let weightDecay: Float
    /// Steps taken.
    public private(set) var step = 0
    private var firstMoments: [ObjectIdentifier: TensorStorage] = [:]
    private var secondMoments: [ObjectIdentifier: TensorStorage] = [:]

    /// An optimiser with PyTorch's defaults.
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0
    ) {
        precondition(learningRate >= 0, "Adam: learningRate \(learningRate) must be >= 0")
        precondition(
            (0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas (\(beta1), \(beta2)) must lie in [0, 1)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Applies one step. Checks every gradient first, so a NaN changes nothing.
    public func update(_ parameters: [Parameter], gradients: [Tensor]) throws {
        try OptimizerError.validate(parameters, gradients, step: step + 1)
        step += 1
        // torch: step_size = lr / (1 - beta1^t); denom = sqrt(v) / sqrt(1 - beta2^t) + eps.
        let correction1 = 1 - Foundation.pow(beta1, Float(step))
        let correction2Root = (1 - Foundation.pow(beta2, Float(step))).squareRoot()
        let stepSize = learningRate / correction1
        for (parameter, gradient) in zip(parameters, gradients) where !parameter.isFrozen {
            let key = ObjectIdentifier(parameter)
            let count = parameter.value.count
            let m = firstMoments[key] ?? TensorStorage(count: count, repeating: 0)
            let v = secondMoments[key] ?? TensorStorage(count: count, repeating: 0)
            firstMoments[key] = m
            secondMoments[key] = v
            let updated = TensorStorage(uninitializedCount: count)
            let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
            parameter.value.withPointer { p in
                gradient.withPointer { g in
                    for i in 0..<count {
                        let grad = decay == 0 ? g[i] : g[i] + decay * p[i]
                        m.pointer[i] = m.pointer[i] * b1 + grad * (1 - b1)
                        v.pointer[i] = v.pointer[i] * b2 + grad * grad * (1 - b2)
                        let denominator = v.pointer[i].squareRoot() / correction2Root + eps
                        updated.pointer[i] = p[i] - stepSize * (m.pointer[i] / denominator)
                    }
                }
            }
            parameter.value = Tensor(shape: parameter.value.shape, storage: updated)
        }
    }
}

extension Adam {
    /// The step count and moment estimates of `parameters`, keyed `NAME.m` / `NAME.v`, for checkpoints.
    public func state(of parameters: [(String, Parameter)]) -> (step: Int, tensors: [String: Tensor]) {
        var tensors = [String: Tensor]()
        for (name, parameter) in parameters {
            let key = ObjectIdentifier(parameter)
            let shape = parameter.value.shape
            if let m = firstMoments[key], let v = secondMoments[key] {
                tensors[name + ".m"] = Tensor(shape: shape, storage: Self.copy(m, count: parameter.value.count))
                tensors[name + ".v"] = Tensor(shape: shape, storage: Self.copy(v, count: parameter.value.count))
            }
        }
        return (step, tensors)
    }

    /// Restores a `state(of:)`: moments of parameters absent from `tensors` start at zero again.
    public func restore(step: Int, tensors: [String: Tensor], of parameters: [(String, Parameter)]) throws {
        firstMoments.removeAll()
        secondMoments.removeAll()
        for (name, parameter) in parameters {
            guard let m = tensors[name + ".m"], let v = tensors[name + ".v"] else { continue }
            guard m.shape == parameter.value.shape, v.shape == parameter.value.shape else {
                throw OptimizerError.stateMismatch(parameter: name)
            }
            let key = ObjectIdentifier(parameter)
            firstMoments[key] = m.withPointer { Self.copy($0, count: m.count) }
            secondMoments[key] = v.withPointer { Self.copy($0, count: v.count) }
        }
        self.step = step
    }

    private static func copy(_ source: TensorStorage, count: Int) -> TensorStorage {
        copy(UnsafePointer(source.pointer), count: count)
    }

    private static func copy(_ source: UnsafePointer<Float>, count: Int) -> TensorStorage {
        let storage = TensorStorage(uninitializedCount: count)
        storage.pointer.initialize(from: source, count: count)
        return storage
    }
}

/// Stochastic gradient descent with momentum and L2 weight decay (torch: `optim.SGD`, no dampening).
public final class SGD: @unchecked Sendable {
    /// Step size.
    public var learningRate: Float
    /// Momentum coefficient (0: plain SGD).
    public let momentum: Float
    /// L2 penalty coefficient.
    public let weightDecay: Float
    private var velocities: [ObjectIdentifier: TensorStorage] = [:]

    /// An optimiser.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// Applies one step; a NaN gradient changes nothing.
    public func update(_ parameters: [Parameter], gradients: [Tensor]) throws {
        try OptimizerError.validate(parameters, gradients, step: 0)
        for (parameter, gradient) in zip(parameters, gradients) where !parameter.isFrozen {
            let key = ObjectIdentifier(parameter)
            let count = parameter.value.count
            let updated = TensorStorage(uninitializedCount: count)
            let velocity = velocities[key]
            let (rate, mu, decay) = (learningRate, momentum, weightDecay)
            var newVelocity: TensorStorage?
            if mu != 0 { newVelocity = velocity ?? TensorStorage(count: count, repeating: 0) }
            let first = velocity == nil
            parameter.value.withPointer { p in
                gradient.withPointer { g in
                    for i in 0..<count {
                        var direction = decay == 0 ? g[i] : g[i] + decay * p[i]
                        if let buffer = newVelocity {
                            // torch: the first step's buffer is the gradient itself.
                            buffer.pointer[i] = first ? direction : mu * buffer.pointer[i] + direction
                            direction = buffer.pointer[i]
                        }
                        updated.pointer[i] = p[i] - rate * direction
                    }
                }
            }
            if let newVelocity { velocities[key] = newVelocity }
            parameter.value = Tensor(shape: parameter.value.shape, storage: updated)
        }
    }
}

/// An exponential moving average of a model's parameters and buffers, kept in a second model of
/// the same architecture (BigGAN's EMA generator): `shadow = decay * shadow + (1 - decay) * value`.
public struct ExponentialMovingAverage {
    /// Weight of the old average.
    public let decay: Float

    /// An average with the given decay (BigGAN: 0.9999).
    public init(decay: Float) {
        precondition((0...1).contains(decay), "ExponentialMovingAverage: decay \(decay) must lie in [0, 1]")
        self.decay = decay
    }

    /// Moves `shadow` towards `model`; the two must have the same parameter and buffer names and shapes.
    public func update(shadow: Module, from model: Module) {
        for ((_, target), (_, source)) in zip(shadow.namedParameters(), model.namedParameters()) {
            target.value = blend(target.value, source.value)
        }
        for ((_, target), (_, source)) in zip(shadow.namedBuffers(), model.namedBuffers()) {
            target.value = blend(target.value, source.value)
        }
    }

    private func blend(_ old: Tensor, _ new: Tensor) -> Tensor {
        precondition(old.shape == new.shape, "ExponentialMovingAverage: shapes \(old.shape) and \(new.shape) differ")
        let decay = self.decay
        let storage = TensorStorage(uninitializedCount: old.count)
        old.withPointer { o in
            new.withPointer { n in
                for i in 0..<old.count { storage.pointer[i] = decay * o[i] + (1 - decay) * n[i] }
            }
        }
        return Tensor(shape: old.shape, storage: storage)
    }
}
