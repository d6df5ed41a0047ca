import Foundation

// Pointwise functions. Pullbacks reuse the saved output where the derivative is a function of it.

extension Tensor {
    private func map<Function: UnaryFunction>(_ op: Function) -> Tensor {
        makeTensor(shape) { out in withPointer { unaryMap($0, out, count: count, op) } }
    }

    /// `e^x`.
    public func exp() -> Tensor {
        let value = map(Exponential())
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g * result] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        let value = map(Logarithm())
        return Tape.record(value, inputs: [self]) { g, _, _ in [g / self] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let value = map(SquareRoot())
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g / (result * 2)] }
    }

    /// `x * x`.
    public func squared() -> Tensor { self * self }

    /// `max(x, 0)`. Its derivative is a constant mask, so second derivatives are zero.
    public func relu() -> Tensor {
        let value = map(ReLU())
        // The mask comes from the output (y > 0 exactly where x > 0), which the next layer usually
        // saves anyway, so the input need not be kept.
        return Tape.record(value, inputs: [self], savingOutput: true) { g, y, _ in
            [Tensor.masked(g, by: y, Step(threshold: 0, above: 1, below: 0))]
        }
    }

    /// `g * step(y)`, the pullback of ReLU and leaky ReLU: one fused pass on a plain backward
    /// pass, the product with the mask when the backward pass is recorded.
    private static func masked(_ g: Tensor, by y: Tensor, _ step: Step) -> Tensor {
        if g.isTracked { return g * y.detached.map(step) }
        precondition(g.shape == y.shape, "masked: gradient \(g.shape) for output \(y.shape)")
        return makeTensor(g.shape) { out in
            g.withPointer { pg in
                y.withPointer { py in broadcastBinary(pg, g.shape, py, y.shape, out, g.shape, Masked(step: step)) }
            }
        }
    }

    /// `x` for positive `x`, `slope * x` otherwise.
    public func leakyRelu(slope: Float = 0.2) -> Tensor {
        let value = map(Rectifier(slope: slope))
        precondition(slope > 0, "leakyRelu: slope \(slope) must be > 0 (the mask is read from the output)")
        return Tape.record(value, inputs: [self], savingOutput: true) { g, y, _ in
            [Tensor.masked(g, by: y, Step(threshold: 0, above: 1, below: slope))]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let value = map(HyperbolicTangent())
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g * (1 - result * result)] }
    }

    /// The logistic function `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor {
        let value = map(Logistic())
        return Tape.record(value, inputs: [self], savingOutput: true) { g, result, _ in [g * result * (1 - result)] }
    }

    /// `log(1 + e^x)`, computed without overflow.
    public func softplus() -> Tensor {
        let value = map(Softplus())
        return Tape.record(value, inputs: [self]) { g, _, _ in [g * self.sigmoid()] }
    }

    /// Elementwise comparison mask `x > threshold` as 0/1 (not differentiable: a constant).
    public func greater(than threshold: Float) -> Tensor {
        detached.map(Step(threshold: threshold, above: 1, below: 0))
    }
}
