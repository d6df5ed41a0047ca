import StudioSupport

/// Batches of real examples in a reshuffled order every epoch. The order of epoch `e` depends only
/// on the seed and `e`, so the sampler's whole state is the number of examples drawn (resumable).
public struct RealBatchSampler: Sendable {
    /// Example count.
    public let count: Int
    /// The seed of every epoch's order.
    public let seed: UInt64
    /// Examples drawn so far.
    public private(set) var drawn: Int
    private var order: [Int] = []
    private var orderEpoch = -1

    /// A sampler over `count` examples that has already drawn `drawn`.
    public init(count: Int, seed: UInt64, drawn: Int = 0) {
        precondition(count > 0, "RealBatchSampler needs at least one example")
        self.count = count
        self.seed = seed
        self.drawn = drawn
    }

    /// The next `size` indices (crossing epoch boundaries when needed).
    public mutating func next(_ size: Int) -> [Int] {
        (0..<size).map { _ in
            let epoch = drawn / count
            if epoch != orderEpoch {
                var random = SplitMix64(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
                order = Array(0..<count)
                order.shuffle(using: &random)
                orderEpoch = epoch
            }
            defer { drawn += 1 }
            return order[drawn % count]
        }
    }
}
