import Foundation

// Pointwise functions. Pullbacks reuse the saved output where the derivative is a function of it.

extension Tensor {
    private func map(_ op: (Float) -> Float) -> Tensor {
        makeTensor(shape) { out in withPointer { unaryMap($0, out, count: count, op) } }
    }

    /// `e^x`.
    public func exp() -> Tensor {
        let value = map { Foundation.exp($0) }
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g * result] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        let value = map { Foundation.log($0) }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g / self] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let value = map { $0.squareRoot() }
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g / (result * 2)] }
    }

    /// `x * x`.
    public func squared() -> Tensor { self * self }

    /// `max(x, 0)`. Its derivative is a constant mask, so second derivatives are zero.
    public func relu() -> Tensor {
        let value = map { $0 > 0 ? $0 : 0 }
        // The mask comes from the output (y > 0 exactly where x > 0), which the next layer usually
        // saves anyway, so the input need not be kept.
        return Tape.record(value, inputs: [self], savingOutput: true) { g, y, _ in
            [g * y.detached.map { $0 > 0 ? 1 : 0 }]
        }
    }

    /// `x` for positive `x`, `slope * x` otherwise.
    public func leakyRelu(slope: Float = 0.2) -> Tensor {
        let value = map { $0 > 0 ? $0 : slope * $0 }
        precondition(slope > 0, "leakyRelu: slope \(slope) must be > 0 (the mask is read from the output)")
        return Tape.record(value, inputs: [self], savingOutput: true) { g, y, _ in
            [g * y.detached.map { $0 > 0 ? 1 : slope }]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let value = map { Foundation.tanh($0) }
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g * (1 - result * result)] }
    }

    /// The logistic function `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor {
        let value = map { 1 / (1 + Foundation.exp(-$0)) }
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g * result * (1 - result)] }
    }

    /// `log(1 + e^x)`, computed without overflow.
    public func softplus() -> Tensor {
        let value = map { $0 > 0 ? $0 + Foundation.log1p(Foundation.exp(-$0)) : Foundation.log1p(Foundation.exp($0)) }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g * self.sigmoid()] }
    }

    /// Elementwise comparison mask `x > threshold` as 0/1 (not differentiable: a constant).
    public func greater(than threshold: Float) -> Tensor { detached.map { $0 > threshold ? 1 : 0 } }
}
