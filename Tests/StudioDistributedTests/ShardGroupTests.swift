import Foundation
import StudioTensor
import Testing

@testable import StudioDistributed

/// Results written by several threads.
final class ResultBox<T>: @unchecked Sendable {
    var values: [Int: T] = [:]
    let lock = NSLock()
}

@Suite struct ShardGroupTests {
    /// Runs `body(shard)` for every shard of `group` in its own thread and returns the results in shard order.
    func inThreads<T: Sendable>(_ group: ShardGroup, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let box = ResultBox<T>()
        let done = DispatchGroup()
        for shard in group.localShards {
            done.enter()
            Thread {
                let value = body(shard)
                box.lock.withLock { box.values[shard] = value }
                done.leave()
            }.start()
        }
        done.wait()
        return group.localShards.map { box.values[$0]! }
    }

    @Test func everyShardGetsEveryShardsValuesInShardOrder() throws {
        let group = try ShardGroup(shardCount: 4, world: nil)
        #expect(group.localShards == 0..<4)
        let results = inThreads(group) { shard in
            // Two exchanges in a row: the second must not see the first's values.
            let first = group.gather([Double(shard), Double(10 * shard)], shard: shard)
            let second = group.gather([Float(shard) + 0.5], shard: shard)
            return (first, second)
        }
        for (first, second) in results {
            #expect(first == [[0, 0], [1, 10], [2, 20], [3, 30]])
            #expect(second == [[0.5], [1.5], [2.5], [3.5]])
        }
    }

    @Test func peersSumAsOnePairwiseTree() throws {
        // 1e8 + 1 - 1e8 + 1 in Float: the order decides the result, and it must be the tree's,
        // (v0 + v1) + (v2 + v3), not the running sum ((v0 + v1) + v2) + v3.
        let group = try ShardGroup(shardCount: 4, world: nil)
        let values: [Float] = [1e8, 1, -1e8, 1]
        let sums = inThreads(group) { shard in
            ShardPeer(exchange: group, shard: shard).sum([values[shard]])
        }
        #expect(sums.allSatisfy { $0 == [(values[0] + values[1]) + (values[2] + values[3])] })
        #expect(sums[0] == [0] && ((values[0] + values[1]) + values[2]) + values[3] == 1)
    }

    @Test func pairwiseTreeCarriesAnOddPartUp() {
        // Three parts: (a + b) + c. Five: ((a + b) + (c + d)) + e.
        #expect(ShardSum.pairwise([[1e8], [1], [-1e8]] as [[Float]]) == [0])
        let five: [[Double]] = [[1], [2], [3], [4], [5]]
        #expect(ShardSum.pairwise(five) == [15])
        #expect(ShardSum.pairwise([[Float(1e8)], [1], [1], [-1e8], [1]]) == [(Float(1e8) + 1) + (1 + -1e8) + 1])
    }

    @Test func unevenShardsAreRefused() {
        #expect(throws: ShardGroupError.uneven(shards: 0, ranks: 1)) { try ShardGroup(shardCount: 0, world: nil) }
    }

    @Test func noWorldWithoutMpirun() throws {
        guard !MPIWorld.isLaunched else { return }
        #expect(try MPIWorld.launched() == nil)
    }
}
