/// The shards of one batch, computed in lockstep by threads of one process and by processes (MPI
/// ranks): data-parallel training splits every batch into `shardCount` equal shards, and whatever
/// the batch sums over (batch-norm statistics, parameter gradients, losses) is summed over the
/// shards in one fixed order, the pairwise tree of `ShardSum.pairwise`. The shard decomposition is
/// fixed, so the sums, and with them the whole training, are the same bits however many processes
/// share the shards.
public protocol ShardExchange: AnyObject, Sendable {
    /// Shards of every batch (equal sizes).
    var shardCount: Int { get }
    /// Element-wise sums over every shard of each shard's `values`, added in the order of
    /// `ShardSum.pairwise`. Called once per exchange by the thread computing each of this
    /// process's shards, in the same order of exchanges on every shard; blocks until every shard
    /// has given its values, which must be of one length.
    func sum<Element: BinaryFloatingPoint & BitwiseCopyable>(_ values: [Element], shard: Int) -> [Element]
}

/// The one order in which shards' values are added.
public enum ShardSum {
    /// Element-wise sums of `parts` (shard order) as a pairwise tree: neighbours are added
    /// (lower first) level by level, an odd last one carried up. For a power-of-two count, the
    /// sums of aligned blocks of parts (a process's shards) are subtrees of the same tree.
    public static func pairwise<Element: BinaryFloatingPoint>(_ parts: [[Element]]) -> [Element] {
        precondition(!parts.isEmpty, "nothing to add")
        var level = parts
        while level.count > 1 {
            var next = [[Element]]()
            next.reserveCapacity((level.count + 1) / 2)
            var index = 0
            while index + 1 < level.count {
                next.append(added(level[index], level[index + 1]))
                index += 2
            }
            if index < level.count { next.append(level[index]) }
            level = next
        }
        return level[0]
    }

    /// `lower + upper`, element by element.
    public static func added<Element: BinaryFloatingPoint>(_ lower: [Element], _ upper: [Element]) -> [Element] {
        precondition(lower.count == upper.count, "shards gave \(lower.count) and \(upper.count) values")
        var total = lower
        for index in total.indices { total[index] += upper[index] }
        return total
    }
}

/// One shard's side of a `ShardExchange`: the sums over every shard of what this shard computed.
public struct ShardPeer: Sendable {
    /// The exchange all shards meet in.
    public let exchange: any ShardExchange
    /// This shard's index in `0..<exchange.shardCount`.
    public let shard: Int

    /// A peer for `shard`.
    public init(exchange: any ShardExchange, shard: Int) {
        precondition(shard >= 0 && shard < exchange.shardCount, "shard \(shard) outside 0..<\(exchange.shardCount)")
        self.exchange = exchange
        self.shard = shard
    }

    /// Shards of every batch.
    public var shardCount: Int { exchange.shardCount }

    /// Element-wise sums over every shard of each shard's `values` (the order of `ShardSum.pairwise`).
    public func sum(_ values: [Double]) -> [Double] { exchange.sum(values, shard: shard) }

    /// Element-wise sums over every shard of each shard's `values` (the order of `ShardSum.pairwise`).
    public func sum(_ values: [Float]) -> [Float] { exchange.sum(values, shard: shard) }
}
