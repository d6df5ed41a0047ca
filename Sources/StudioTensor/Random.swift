import Foundation
import StudioSupport

/// Seeded random tensors. Every draw takes the caller's generator, so the same seed gives the same
/// tensors bit for bit.
extension Tensor {
    /// Standard normal samples (Box-Muller), scaled by `standardDeviation` and shifted by `mean`.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout SplitMix64
    ) -> Tensor {
        let count = shape.reduce(1, *)
        return makeTensor(shape) { out in
            var index = 0
            while index < count {
                // u1 in (0, 1] so the logarithm is finite.
                let u1 = 1 - Double(generator.next() >> 11) * 0x1.0p-53
                let u2 = Double(generator.next() >> 11) * 0x1.0p-53
                let radius = (-2 * Foundation.log(u1)).squareRoot()
                out[index] = mean + standardDeviation * Float(radius * Foundation.cos(2 * Double.pi * u2))
                if index + 1 < count {
                    out[index + 1] = mean + standardDeviation * Float(radius * Foundation.sin(2 * Double.pi * u2))
                }
                index += 2
            }
        }
    }

    /// Uniform samples in `[lower, upper)`.
    public static func randomUniform(
        _ shape: [Int], lower: Float = 0, upper: Float = 1, using generator: inout SplitMix64
    ) -> Tensor {
        makeTensor(shape) { out in
            for index in 0..<shape.reduce(1, *) { out[index] = lower + (upper - lower) * generator.nextUnitFloat() }
        }
    }

    /// 1 with probability `probability[i]`, else 0 (a constant: no gradient).
    public static func randomBernoulli(probability: Tensor, using generator: inout SplitMix64) -> Tensor {
        makeTensor(probability.shape) { out in
            probability.withPointer { p in
                for index in 0..<probability.count { out[index] = generator.nextUnitFloat() < p[index] ? 1 : 0 }
            }
        }
    }

    /// A relaxed Bernoulli (binary Concrete) sample with keep-probability logits `logits`:
    /// `sigmoid((logits + log u - log(1 - u)) / temperature)`, differentiable in `logits`.
    /// With `straightThrough`, the forward value is the hard 0/1 threshold at 0.5 while gradients
    /// flow as through the soft sample.
    ///
    /// ### References
    /// - C. Maddison, A. Mnih, Y. W. Teh, "The Concrete Distribution", ICLR 2017.
    /// - E. Jang, S. Gu, B. Poole, "Categorical Reparameterization with Gumbel-Softmax", ICLR 2017.
    public static func relaxedBernoulli(
        logits: Tensor, temperature: Float, straightThrough: Bool = false, using generator: inout SplitMix64
    ) -> Tensor {
        precondition(temperature > 0, "relaxedBernoulli: temperature \(temperature) must be > 0")
        let noise = makeTensor(logits.shape) { out in
            for index in 0..<logits.count {
                let u = min(max(generator.nextUnitFloat(), 1e-7), 1 - 1e-7)
                out[index] = Foundation.log(u) - Foundation.log(1 - u)
            }
        }
        let soft = ((logits + noise) / temperature).sigmoid()
        guard straightThrough else { return soft }
        return soft.greater(than: 0.5) + (soft - soft.detached)
    }
}
