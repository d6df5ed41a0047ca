import Testing

@testable import StudioTensor

/// Broadcasting element-wise ops against a plain per-element reference, over the shapes the
/// kernels take different paths for: equal shapes, a scalar, and broadcasts that collapse to one,
/// two, three and more axes, each large enough to be split across threads and small enough not to.
@Suite("Broadcasting element-wise ops")
struct BroadcastTests {
    /// `op(a, b)` computed element by element from numpy's rule, with no kernel involved.
    func reference(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> [Float] {
        let shape = broadcastShape(a.shape, b.shape)!
        let rank = shape.count
        let (aValues, bValues) = (a.scalars, b.scalars)
        func offset(_ index: [Int], _ operand: [Int]) -> Int {
            let aligned = [Int](repeating: 1, count: rank - operand.count) + operand
            var offset = 0
            for axis in 0..<rank { offset = offset * aligned[axis] + (aligned[axis] == 1 ? 0 : index[axis]) }
            return offset
        }
        var index = [Int](repeating: 0, count: rank)
        var out = [Float]()
        for _ in 0..<shape.reduce(1, *) {
            out.append(op(aValues[offset(index, a.shape)], bValues[offset(index, b.shape)]))
            advanceOdometer(&index, shape: shape, lastAxis: rank - 1)
        }
        return out
    }

    static let pairs: [([Int], [Int])] = [
        ([4, 3, 5, 6], [4, 3, 5, 6]), ([4, 3, 5, 6], [1]), ([1], [7, 5]),
        ([4, 3, 5, 6], [4, 3, 1, 1]), ([4, 3, 5, 6], [1, 3, 1, 1]), ([4, 3, 5, 6], [3, 1, 1]),
        ([1, 3, 1, 1], [4, 3, 5, 6]), ([4, 3, 5, 6], [4, 1, 5, 1]), ([4, 3, 5, 6], [6]), ([5, 1], [1, 6]),
        ([2, 3, 4, 5, 6], [2, 1, 4, 1, 6]), ([64, 64, 8, 8], [64, 64, 1, 1]), ([32, 16, 32, 32], [1, 16, 1, 1]),
    ]

    @Test(arguments: pairs)
    func everyBroadcastMatchesTheElementByElementReference(_ shapes: ([Int], [Int])) {
        let a = randomTensor(shapes.0, seed: 1)
        let b = randomTensor(shapes.1, seed: 2, scale: 2)
        #expect((a + b).scalars == reference(a, b, +))
        #expect((a - b).scalars == reference(a, b, -))
        #expect((a * b).scalars == reference(a, b, *))
        #expect((b / a).scalars == reference(b, a, /))
        let target = broadcastShape(a.shape, b.shape)!
        #expect(b.broadcast(to: target).scalars == reference(b, Tensor.zeros(target), { x, _ in x }))
    }
}
