import Foundation
import StudioTensor

/// The `ShardExchange` of data-parallel training: `shardCount` shards of every batch, of which
/// this process computes `localShards` in as many threads, and, under `mpirun`, the other ranks
/// the rest (rank `r` of `n` holds shards `r * shardCount / n ..< (r + 1) * shardCount / n`).
///
/// An exchange first meets the local threads; the last to arrive trades the process's values with
/// the other ranks (one gather to all) and wakes the others.
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

    /// Every shard's `values` in shard order (see `ShardExchange`).
    public func gather<Element: BitwiseCopyable>(_ values: [Element], shard: Int) -> [[Element]] {
        precondition(localShards.contains(shard), "shard \(shard) is not computed here (\(localShards))")
        let bytes = values.withUnsafeBytes { Array($0) }
        condition.lock()
        defer { condition.unlock() }
        let myRound = round
        contributions[shard - localShards.lowerBound] = bytes
        arrived += 1
        if arrived == localShards.count {
            let local = contributions.map { $0! }
            precondition(Set(local.map(\.count)).count == 1, "shards gave values of different lengths")
            if let world, world.size > 1 {
                let length = local[0].count
                let started = DispatchTime.now().uptimeNanoseconds
                outcome = world.gatherToAll(Array(local.joined())).flatMap { rank in
                    (0..<local.count).map { Array(rank[($0 * length)..<(($0 + 1) * length)]) }
                }
                exchangeSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                exchangeCount += 1
            } else {
                outcome = local
            }
            contributions = Array(repeating: nil, count: localShards.count)
            arrived = 0
            round += 1
            condition.broadcast()
        } else {
            while round == myRound { condition.wait() }
        }
        return outcome.map { bytes in
            bytes.withUnsafeBytes { Array($0.bindMemory(to: Element.self)) }
        }
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
