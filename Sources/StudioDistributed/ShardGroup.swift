import Foundation
import StudioTensor

/// The `ShardExchange` of data-parallel training: `shardCount` shards of every batch, of which
/// this process computes `localShards` in as many threads, and, under `mpirun`, the other ranks
/// the rest (rank `r` of `n` holds shards `r * shardCount / n ..< (r + 1) * shardCount / n`).
///
/// An exchange first meets the local threads; the last to arrive trades the process's values with
/// the other ranks and wakes the others.
public final class ShardGroup: ShardExchange, @unchecked Sendable {
    /// Shards of every batch.
    public let shardCount: Int
    /// The shards this process computes.
    public let localShards: Range<Int>
    /// The other ranks, if any.
    public let world: MPIWorld?

    /// Time spent trading values with the other ranks (waiting for the slowest included) and the
    /// number of trades: what data parallelism costs beyond the computing.
    public var rankExchange: (seconds: Double, count: Int) { condition.withLock { (exchangeSeconds, exchangeCount) } }

    private var exchangeSeconds = 0.0
    private var exchangeCount = 0
    private let condition = NSCondition()
    private var contributions: [[UInt8]?]
    private var arrived = 0
    private var round = 0
    private var outcome: [[UInt8]] = []

    /// The group of `shardCount` shards over `world`'s ranks (all of them here without a world).
    /// - Throws: `ShardGroupError.uneven` when the ranks cannot share the shards evenly.
    public init(shardCount: Int, world: MPIWorld?) throws {
        let ranks = world?.size ?? 1
        guard shardCount >= 1, shardCount % ranks == 0 else {
            throw ShardGroupError.uneven(shards: shardCount, ranks: ranks)
        }
        let rank = world?.rank ?? 0
        self.shardCount = shardCount
        self.world = world
        localShards = (rank * shardCount / ranks)..<((rank + 1) * shardCount / ranks)
        contributions = Array(repeating: nil, count: localShards.count)
    }

    /// Element-wise sums over every shard of each shard's `values`, in the order of
    /// `ShardSum.pairwise` (see `ShardExchange`). The local threads meet first; the last to
    /// arrive adds the process's shards (its aligned subtree) and, when the shard count is a power
    /// of two, combines the ranks' subtrees by recursive doubling: at step k each rank trades its
    /// partial sum with rank `rank ^ 2^k` and both add them lower rank first, which is the same
    /// tree, with traffic growing as log2 of the ranks. Other shard counts trade every shard's
    /// values with every rank (one gather to all) and add them as one tree.
    public func sum<Element: BinaryFloatingPoint & BitwiseCopyable>(_ values: [Element], shard: Int) -> [Element] {
        let outcome = meet(Self.bytes(values), shard: shard) { local in
            let parts = local.map { Self.elements($0, as: Element.self) }
            guard let world, world.size > 1 else { return [Self.bytes(ShardSum.pairwise(parts))] }
            if shardCount.nonzeroBitCount == 1 {
                var partial = ShardSum.pairwise(parts)
                var step = 1
                while step < world.size {
                    let partner = world.rank ^ step
                    let other = Self.elements(world.trade(Self.bytes(partial), with: partner), as: Element.self)
                    partial = world.rank < partner ? ShardSum.added(partial, other) : ShardSum.added(other, partial)
                    step <<= 1
                }
                return [Self.bytes(partial)]
            }
            let all = self.gatherFromRanks(local, world: world).map { Self.elements($0, as: Element.self) }
            return [Self.bytes(ShardSum.pairwise(all))]
        }
        return Self.elements(outcome[0], as: Element.self)
    }

    /// Every shard's `values` in shard order, on every shard (one gather to all between ranks).
    public func gather<Element: BitwiseCopyable>(_ values: [Element], shard: Int) -> [[Element]] {
        meet(Self.bytes(values), shard: shard) { local in
            guard let world, world.size > 1 else { return local }
            return self.gatherFromRanks(local, world: world)
        }.map { Self.elements($0, as: Element.self) }
    }

    /// Every rank's local shards' bytes, in shard order.
    private func gatherFromRanks(_ local: [[UInt8]], world: MPIWorld) -> [[UInt8]] {
        precondition(Set(local.map(\.count)).count == 1, "shards gave values of different lengths")
        let length = local[0].count
        return world.gatherToAll(Array(local.joined())).flatMap { rank in
            (0..<local.count).map { Array(rank[($0 * length)..<(($0 + 1) * length)]) }
        }
    }

    /// The local threads' meeting: each gives its shard's bytes; the last to arrive runs `combine`
    /// on them (in local shard order; the time it takes counts as the rank exchange's when other
    /// ranks take part) and every thread gets its result.
    private func meet(_ bytes: [UInt8], shard: Int, combine: ([[UInt8]]) -> [[UInt8]]) -> [[UInt8]] {
        precondition(localShards.contains(shard), "shard \(shard) is not computed here (\(localShards))")
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        contributions[shard - localShards.lowerBound] = bytes
        arrived += 1
        if arrived == localShards.count {
            let started = DispatchTime.now().uptimeNanoseconds
            outcome = combine(contributions.map { $0! })
            if let world, world.size > 1 {
                exchangeSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                exchangeCount += 1
            }
            contributions = Array(repeating: nil, count: localShards.count)
            arrived = 0
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        return outcome
    }

    static func bytes<Element: BitwiseCopyable>(_ values: [Element]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    static func elements<Element: BitwiseCopyable>(_ bytes: [UInt8], as type: Element.Type) -> [Element] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: Element.self)) }
    }
}

/// Errors of setting up a shard group.
public enum ShardGroupError: Error, CustomStringConvertible, Equatable {
    /// The ranks cannot hold equal numbers of shards.
    case uneven(shards: Int, ranks: Int)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .uneven(let shards, let ranks):
            return "\(ranks) MPI rank(s) cannot share \(shards) shard(s) evenly; pass --shards as a multiple of the "
                + "rank count (mpirun -np)"
        }
    }
}
