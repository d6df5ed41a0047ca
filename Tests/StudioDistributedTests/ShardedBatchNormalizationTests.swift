import Foundation
import StudioSupport
import StudioTensor
import Testing

@testable import StudioDistributed

/// The sharded batch-norm op (StudioTensor) through a real exchange: shards of a batch normalise
/// with the whole batch's statistics and get the whole batch's gradient.
@Suite struct ShardedBatchNormalizationTests {
    /// Output, input gradient (for the upstream gradient `g`) and mean of batch norm on `x`,
    /// sharing statistics through `peer` when given.
    static func normalize(_ x: Tensor, g: Tensor, peer: ShardPeer?) -> (y: [Float], dx: [Float], mean: [Float]) {
        let tape = Tape()
        let input = tape.watch(x)
        let (y, mean, _) = peer.map { input.batchNormalized(sharedWith: $0) } ?? input.batchNormalized()
        let dx = tape.gradients(of: (y * g).sum(), withRespectTo: [input])[0]
        return (y.scalars, dx.scalars, mean)
    }

    @Test func shardsNormaliseWithTheWholeBatch() throws {
        var random = SplitMix64(seed: 3)
        let x = Tensor.randomNormal([8, 3, 4, 4], using: &random) * 2 + 1
        let g = Tensor.randomNormal([8, 3, 4, 4], using: &random)
        let whole = Self.normalize(x, g: g, peer: nil)
        let group = try ShardGroup(shardCount: 2, world: nil)
        let box = ResultBox<(y: [Float], dx: [Float], mean: [Float])>()
        let done = DispatchGroup()
        for shard in 0..<2 {
            done.enter()
            Thread {
                let rows = (4 * shard)..<(4 * shard + 4)
                let result = Self.normalize(
                    x.slice(axis: 0, rows).detached, g: g.slice(axis: 0, rows).detached,
                    peer: ShardPeer(exchange: group, shard: shard))
                box.lock.withLock { box.values[shard] = result }
                done.leave()
            }.start()
        }
        done.wait()
        let parts = (0..<2).map { box.values[$0]! }
        func largestGap(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }
        #expect(largestGap(whole.y, parts[0].y + parts[1].y) < 1e-5)
        #expect(largestGap(whole.dx, parts[0].dx + parts[1].dx) < 1e-5)
        #expect(largestGap(whole.mean, parts[0].mean) < 1e-6 && parts[0].mean == parts[1].mean)
        // Each shard's own statistics would be far off: the test sees the difference.
        let alone = Self.normalize(x.slice(axis: 0, 0..<4).detached, g: g.slice(axis: 0, 0..<4).detached, peer: nil)
        #expect(largestGap(whole.y, alone.y) > 1e-2)
    }

    @Test func oneShardIsThePlainOpBitForBit() throws {
        var random = SplitMix64(seed: 4)
        let x = Tensor.randomNormal([5, 2, 3, 3], using: &random)
        let g = Tensor.randomNormal([5, 2, 3, 3], using: &random)
        let group = try ShardGroup(shardCount: 1, world: nil)
        let plain = EngineThreads.limited(to: 1) { Self.normalize(x, g: g, peer: nil) }
        let shared = Self.normalize(x, g: g, peer: ShardPeer(exchange: group, shard: 0))
        #expect(plain.y == shared.y && plain.dx == shared.dx && plain.mean == shared.mean)
    }
}
