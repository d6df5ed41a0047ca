import Foundation
import StudioSupport

/// Mixup (Zhang et al., ICLR 2018): every training batch becomes `w * x + (1 - w) * x[perm]` for a
/// random permutation of the batch, and the loss is `w * CE(y) + (1 - w) * CE(y[perm])`, with `w`
/// drawn from Beta(alpha, alpha) once per batch. It teaches the network to change its answer
/// smoothly between examples instead of memorising each training speaker.
public struct Mixup: Sendable, Equatable {
    /// The Beta distribution's parameter; small values (0.1-0.4) keep most batches close to one side.
    public var alpha: Float

    /// A mixup with Beta(alpha, alpha) weights; `alpha` must be positive.
    public init(alpha: Float) {
        precondition(alpha > 0, "Mixup: alpha must be positive")
        self.alpha = alpha
    }

    /// One batch's plan: the weight of the original examples and the partner of each example.
    public struct Plan: Sendable, Equatable {
        /// Weight of the original example, in [0, 1].
        public var weight: Float
        /// `partners[i]` is the batch position mixed into example `i`.
        public var partners: [Int]
    }

    /// Draws the weight and partners for a batch of `count` examples.
    public func plan(count: Int, using random: inout SplitMix64) -> Plan {
        var partners = Array(0..<count)
        partners.shuffle(using: &random)
        return Plan(weight: Self.beta(alpha, alpha, using: &random), partners: partners)
    }

    /// Mixes `values` (`count` examples of `size` floats each) in place by `plan`.
    public func mix(_ values: inout [Float], count: Int, size: Int, plan: Plan) {
        let original = values
        let weight = plan.weight
        for example in 0..<count {
            let base = example * size
            let partner = plan.partners[example] * size
            for index in 0..<size {
                values[base + index] = weight * original[base + index] + (1 - weight) * original[partner + index]
            }
        }
    }

    /// A Beta(a, b) draw as `X / (X + Y)` of two Gamma draws.
    public static func beta(_ a: Float, _ b: Float, using random: inout SplitMix64) -> Float {
        let x = gamma(Double(a), using: &random)
        let y = gamma(Double(b), using: &random)
        return x + y > 0 ? Float(x / (x + y)) : 0.5
    }

    /// A Gamma(shape, 1) draw: Marsaglia and Tsang's method (ACM TOMS 2000), with the boost
    /// `Gamma(k) = Gamma(k + 1) * U^(1/k)` for shapes below one.
    static func gamma(_ shape: Double, using random: inout SplitMix64) -> Double {
        if shape < 1 {
            let boost = pow(unit(&random), 1 / shape)
            return gamma(shape + 1, using: &random) * boost
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal(&random)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit(&random)
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Uniform in (0, 1).
    static func unit(_ random: inout SplitMix64) -> Double {
        (Double(random.next() >> 11) + 0.5) / 9_007_199_254_740_992
    }

    /// A standard normal draw (Box-Muller).
    static func normal(_ random: inout SplitMix64) -> Double {
        (-2 * log(unit(&random))).squareRoot() * cos(2 * Double.pi * unit(&random))
    }
}
