import Foundation

// The functions the element-wise kernels apply, as types rather than closures. A kernel generic
// over its function is specialised for each one, so the element loop is inlined and vectorised,
// also inside the chunks that run on several threads (a closure there stays an indirect call per
// element). Each function computes exactly what its closure did, so results are unchanged.

/// A function of two floats applied element by element.
protocol BinaryFunction {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// A function of one float applied element by element.
protocol UnaryFunction {
    func callAsFunction(_ x: Float) -> Float
}

/// `a + b`.
struct Add: BinaryFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}

/// `a - b`.
struct Subtract: BinaryFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}

/// `a * b`.
struct Multiply: BinaryFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}

/// `a / b`.
struct Divide: BinaryFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
}

/// `a` (the second operand ignored): a broadcast copy.
struct First: BinaryFunction {
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a }
}

/// `x + value`.
struct AddConstant: UnaryFunction {
    let value: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x + value }
}

/// `x * value`.
struct MultiplyConstant: UnaryFunction {
    let value: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * value }
}

/// `above` where `x > threshold`, else `below` (ReLU's derivative, comparison masks).
struct Step: UnaryFunction {
    let threshold: Float, above: Float, below: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > threshold ? above : below }
}

/// `a * step(b)`: a gradient masked by `Step` of a layer's output in one pass (the same bits as
/// the product with the mask).
struct Masked: BinaryFunction {
    let step: Step
    @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * step(b) }
}

/// `x` for positive `x`, `slope * x` otherwise (ReLU with slope 0).
struct Rectifier: UnaryFunction {
    let slope: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : slope * x }
}

/// `max(x, 0)` written as ReLU always was (`x > 0 ? x : 0`, so -0 and NaN map to 0).
struct ReLU: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0 }
}

/// `e^x`.
struct Exponential: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.exp(x) }
}

/// `log x`.
struct Logarithm: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) }
}

/// `sqrt x`.
struct SquareRoot: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() }
}

/// `tanh x`.
struct HyperbolicTangent: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.tanh(x) }
}

/// `1 / (1 + e^-x)`.
struct Logistic: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}

/// `log(1 + e^x)` without overflow.
struct Softplus: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))
    }
}
