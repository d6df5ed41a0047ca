// Broadcasting arithmetic. Each operation: a forward kernel and a pullback written with
// differentiable operations, so that gradients of gradients work.

extension Tensor {
    private static func binary<Function: BinaryFunction>(
        _ a: Tensor, _ b: Tensor, _ name: String, _ op: Function
    ) -> Tensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        return makeTensor(shape) { out in
            a.withPointer { pa in b.withPointer { pb in broadcastBinary(pa, a.shape, pb, b.shape, out, shape, op) } }
        }
    }

    /// Elementwise sum with numpy broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let value = binary(a, b, "+", Add())
        // Capture the shapes only: the pullback needs no values, and holding the inputs would keep
        // every residual branch's activations alive until the backward pass.
        let (aShape, bShape) = (a.shape, b.shape)
        return Tape.record(value, inputs: [a, b]) { g, _, needs in
            [needs[0] ? g.sum(toShape: aShape) : nil, needs[1] ? g.sum(toShape: bShape) : nil]
        }
    }

    /// Elementwise difference with numpy broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let value = binary(a, b, "-", Subtract())
        let (aShape, bShape) = (a.shape, b.shape)
        return Tape.record(value, inputs: [a, b]) { g, _, needs in
            [needs[0] ? g.sum(toShape: aShape) : nil, needs[1] ? (-g).sum(toShape: bShape) : nil]
        }
    }

    /// Elementwise product with numpy broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let value = binary(a, b, "*", Multiply())
        return Tape.record(value, inputs: [a, b]) { g, _, needs in
            [needs[0] ? (g * b).sum(toShape: a.shape) : nil, needs[1] ? (g * a).sum(toShape: b.shape) : nil]
        }
    }

    /// Elementwise quotient with numpy broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let value = binary(a, b, "/", Divide())
        return Tape.record(value, inputs: [a, b]) { g, _, needs in
            [
                needs[0] ? (g / b).sum(toShape: a.shape) : nil,
                needs[1] ? (-(g * a) / (b * b)).sum(toShape: b.shape) : nil,
            ]
        }
    }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// Adds a constant.
    public static func + (a: Tensor, b: Float) -> Tensor {
        let value = makeTensor(a.shape) { out in
            a.withPointer { unaryMap($0, out, count: a.count, AddConstant(value: b)) }
        }
        return Tape.record(value, inputs: [a]) { g, _, _ in [g] }
    }

    /// Subtracts a constant.
    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }

    /// Scales by a constant.
    public static func * (a: Tensor, b: Float) -> Tensor {
        let value = makeTensor(a.shape) { out in
            a.withPointer { unaryMap($0, out, count: a.count, MultiplyConstant(value: b)) }
        }
        return Tape.record(value, inputs: [a]) { g, _, _ in [g * b] }
    }

    /// Divides by a constant.
    public static func / (a: Tensor, b: Float) -> Tensor { a * (1 / b) }

    /// A constant plus a tensor.
    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    /// A constant minus a tensor.
    public static func - (a: Float, b: Tensor) -> Tensor { -b + a }
    /// A constant times a tensor.
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    /// A constant divided by a tensor.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// Sums over the axes along which `shape` was broadcast to this tensor's shape (the pullback of
    /// broadcasting). `shape` must broadcast to `self.shape`.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(broadcastShape(target, shape) == shape, "sum(toShape:): \(target) does not broadcast to \(shape)")
        let value = makeTensor(target) { out in withPointer { reduceToShape($0, shape, out, target) } }
        let source = shape
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.broadcast(to: source)] }
    }

    /// Repeats this tensor along broadcast axes to `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(
            broadcastShape(shape, target) == target, "broadcast(to:): \(shape) does not broadcast to \(target)")
        let zeros = TensorStorage(count: 1, repeating: 0)
        let value = makeTensor(target) { out in
            withPointer { pa in broadcastBinary(pa, shape, UnsafePointer(zeros.pointer), [1], out, target, First()) }
        }
        let source = shape
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.sum(toShape: source)] }
    }
}
