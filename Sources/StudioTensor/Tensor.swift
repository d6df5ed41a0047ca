/// A float32 tensor: a shape, contiguous row-major storage and, while it takes part in a
/// differentiable computation, its place on a tape.
///
/// Images are NCHW: `[batch, channels, height, width]`. Tensors are values; operations always write
/// new storage.
public struct Tensor: @unchecked Sendable {
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// The floats.
    public let storage: TensorStorage
    /// The tape that records operations on this tensor, if any. Held weakly: the tape's pullbacks
    /// hold tensors, so a strong reference would keep every tape alive forever.
    public private(set) weak var tape: Tape?
    /// This tensor's node index on `tape` (meaningless without a tape).
    public let node: Int

    /// Wraps storage; `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage, tape: Tape? = nil, node: Int = -1) {
        precondition(
            shape.reduce(1, *) == storage.count,
            "shape \(shape) needs \(shape.reduce(1, *)) elements, storage has \(storage.count)")
        precondition(shape.allSatisfy { $0 >= 0 }, "shape \(shape) has a negative dimension")
        self.shape = shape
        self.storage = storage
        self.tape = tape
        self.node = node
    }

    /// A tensor holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        self.init(shape: shape, storage: TensorStorage(scalars))
    }

    /// A tensor filled with one value.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), repeating: value))
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// Zeros of a shape.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// Ones of a shape.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// The elements in row-major order.
    public var scalars: [Float] { storage.array }
    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar needs a one-element tensor, got shape \(shape)")
        return storage.pointer[0]
    }

    /// The same values, detached from any tape: gradients do not flow through the result.
    public var detached: Tensor { Tensor(shape: shape, storage: storage) }

    /// True when this tensor is recorded on a tape that is recording.
    var isTracked: Bool { tape?.isRecording == true }

    /// Reads the storage.
    @inline(__always)
    public func withPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafePointer(storage.pointer))
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and the first few values.
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape): [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

/// Builds the result of an operation: allocates its storage, lets `body` fill it.
@inline(__always)
func makeTensor(_ shape: [Int], _ body: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
    body(storage.pointer)
    return Tensor(shape: shape, storage: storage)
}
