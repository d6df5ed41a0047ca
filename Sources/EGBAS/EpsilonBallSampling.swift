import Foundation
import StudioSupport

/// The E-GBAS paper's baselines: uniform samples in an L2 ball or an L-infinity ball (a cube)
/// around the query, with the radius set from E-GBAS's own accepted and rejected points so the
/// comparison is fair (section 4): `epsilon_L2 = (max + min) / 2` of the distances from the mean
/// accepted point `z_avg` to the rejected points, and the cube of the same volume.
public enum EpsilonBallSampling {
    /// The paper's `epsilon_L2`. With no rejected points (the region held every proposal), the
    /// largest distance from `z_avg` to an accepted point.
    public static func l2Radius(accepted: [[Float]], rejected: [[Float]]) -> Float {
        guard let first = accepted.first else { return 0 }
        var mean = [Float](repeating: 0, count: first.count)
        for point in accepted { for (index, value) in point.enumerated() { mean[index] += value } }
        mean = mean.map { $0 / Float(accepted.count) }
        func distance(_ point: [Float]) -> Float {
            zip(point, mean).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        }
        let rejectedDistances = rejected.map(distance)
        if let low = rejectedDistances.min(), let high = rejectedDistances.max() { return (low + high) / 2 }
        return accepted.map(distance).max() ?? 0
    }

    /// The half-width `a` of the cube `[-a, a]^d` with the volume of the d-ball of radius `radius`:
    /// `(2a)^d = pi^(d/2) / Gamma(d/2 + 1) r^d` (computed in logarithms).
    public static func cubeHalfWidth(sameVolumeAsBallOfRadius radius: Float, dimension: Int) -> Float {
        let d = Double(dimension)
        let logUnitBall = d / 2 * log(Double.pi) - lgamma(d / 2 + 1)
        return Float(Double(radius) * exp(logUnitBall / d) / 2)
    }

    /// `count` points uniform in the L2 ball of `radius` around `centre`.
    public static func l2Ball(centre: [Float], radius: Float, count: Int, seed: UInt64) -> [[Float]] {
        var random = SplitMix64(seed: seed)
        let d = centre.count
        return (0..<count).map { _ in
            var direction = (0..<d).map { _ in gaussian(&random) }
            let norm = max(direction.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            let r = radius * Float(pow(Double(random.nextUnitFloat()), 1 / Double(d)))
            direction = direction.map { $0 / norm * r }
            return zip(centre, direction).map { $0 + $1 }
        }
    }

    /// `count` points uniform in the cube of half-width `halfWidth` around `centre`.
    public static func cube(centre: [Float], halfWidth: Float, count: Int, seed: UInt64) -> [[Float]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in centre.map { $0 + halfWidth * (2 * random.nextUnitFloat() - 1) } }
    }

    static func gaussian(_ random: inout SplitMix64) -> Float {
        let u1 = max(Double(random.nextUnitFloat()), 1e-12)
        let u2 = Double(random.nextUnitFloat())
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
