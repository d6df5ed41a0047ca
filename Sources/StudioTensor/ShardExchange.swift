/// The shards of one batch, computed in lockstep by threads of one process and by processes (MPI
/// ranks): data-parallel training splits every batch into `shardCount` equal shards, and whatever
/// the batch sums over (batch-norm statistics, parameter gradients, losses) is summed over the
/// shards in shard order. The shard decomposition is fixed, so the sums, and with them the whole
/// training, are the same bits however many processes share the shards.
public protocol ShardExchange: AnyObject, Sendable {
    /// Shards of every batch (equal sizes).
    var shardCount: Int { get }
    /// Every shard's `values` in shard order. Called once per exchange by the thread computing
    /// each of this process's shards, in the same order of exchanges on every shard; blocks until
    /// every shard has given its values, which must be of one length.
    func gather<Element: BitwiseCopyable>(_ values: [Element], shard: Int) -> [[Element]]
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

    /// Element-wise sums of every shard's `values`, added in shard order.
    public func sum(_ values: [Double]) -> [Double] { Self.orderedSum(exchange.gather(values, shard: shard)) }

    /// Element-wise sums of every shard's `values`, added in shard order.
    public func sum(_ values: [Float]) -> [Float] { Self.orderedSum(exchange.gather(values, shard: shard)) }

    static func orderedSum<Element: FloatingPoint>(_ all: [[Element]]) -> [Element] {
        var total = all[0]
        for other in all.dropFirst() {
            precondition(other.count == total.count, "shards gave \(total.count) and \(other.count) values")
            for index in total.indices { total[index] += other[index] }
        }
        return total
    }
}
