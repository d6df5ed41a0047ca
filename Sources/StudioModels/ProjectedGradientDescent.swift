import StudioNN
import StudioSupport
import StudioTensor

/// The threat model of adversarial training and robust evaluation.
public enum PerturbationBudget: Sendable, Equatable, CustomStringConvertible {
    /// No attack.
    case none
    /// An L2 ball of this radius per example (in [-1, 1] input units).
    case l2(Float)
    /// An L-infinity ball of this radius.
    case linf(Float)

    /// Parses `none`, `l2:EPS` or `linf:EPS`.
    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: ":")
        if parts == ["none"] {
            self = .none
            return
        }
        guard parts.count == 2, let radius = Float(parts[1]), radius > 0 else { return nil }
        switch parts[0] {
        case "l2": self = .l2(radius)
        case "linf": self = .linf(radius)
        default: return nil
        }
    }

    /// `none`, `l2:EPS` or `linf:EPS`.
    public var description: String {
        switch self {
        case .none: return "none"
        case .l2(let radius): return "l2:\(radius)"
        case .linf(let radius): return "linf:\(radius)"
        }
    }
}

/// Projected gradient descent on the cross-entropy (Madry et al., ICLR 2018): a random start in
/// the ball, then `steps` steps of size `2.5 * radius / steps` along the normalised gradient (L2) or
/// its sign (L-infinity), each projected back onto the ball and onto [-1, 1].
public struct ProjectedGradientDescent: Sendable {
    /// The ball.
    public let budget: PerturbationBudget
    /// Attack steps.
    public let steps: Int

    /// An attack.
    public init(budget: PerturbationBudget, steps: Int) {
        self.budget = budget
        self.steps = steps
    }

    /// Adversarial versions of `inputs` against `model` (whose parameters are used as constants).
    public func attack(
        _ inputs: Tensor, labels: [Int], model: (Tensor) -> Tensor, using random: inout SplitMix64
    ) -> Tensor {
        let radius: Float
        switch budget {
        case .none: return inputs
        case .l2(let r), .linf(let r): radius = r
        }
        let stepSize = 2.5 * radius / Float(max(steps, 1))
        var delta = project(
            Tensor.randomUniform(inputs.shape, lower: -radius, upper: radius, using: &random), radius: radius)
        for _ in 0..<steps {
            let tape = Tape()
            let perturbed = tape.watch((inputs + delta).detached)
            let loss = Tensor.crossEntropy(logits: model(perturbed), labels: labels)
            let gradient = tape.gradients(of: loss, withRespectTo: [perturbed])[0]
            delta = project(delta + direction(gradient) * stepSize, radius: radius)
            // Keep inputs + delta inside the data range.
            delta = clamp(inputs + delta, -1, 1) - inputs
        }
        return (inputs + delta).detached
    }

    private func direction(_ gradient: Tensor) -> Tensor {
        switch budget {
        case .linf: return makeSign(gradient)
        default:
            let norms = (gradient.flattenedBatch().squared().sum(alongAxes: [1]) + 1e-12).sqrt()
            return gradient / norms.reshaped([gradient.shape[0]] + [Int](repeating: 1, count: gradient.rank - 1))
        }
    }

    private func project(_ delta: Tensor, radius: Float) -> Tensor {
        switch budget {
        case .none: return delta
        case .linf: return clamp(delta, -radius, radius)
        case .l2:
            let norms = delta.flattenedBatch().squared().sum(alongAxes: [1]).sqrt().scalars
            let scales = norms.map { $0 > radius ? radius / $0 : 1 }
            return
                (delta * Tensor(shape: [delta.shape[0]] + [Int](repeating: 1, count: delta.rank - 1), scalars: scales))
                .detached
        }
    }

    private func clamp(_ tensor: Tensor, _ lower: Float, _ upper: Float) -> Tensor {
        Tensor(shape: tensor.shape, scalars: tensor.scalars.map { min(max($0, lower), upper) })
    }

    private func makeSign(_ tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
    }
}
