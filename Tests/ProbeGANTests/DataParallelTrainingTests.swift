import Foundation
import ProbeGAN
import StudioDistributed
import StudioTensor
import Testing

@Suite("Data-parallel ProbeGAN training")
struct DataParallelTrainingTests {
    static func trainer(batch: Int, shards: Int?) throws -> ProbeGANTrainer {
        var configuration = TinyRun.configuration()
        configuration.batchSize = batch
        configuration.augmentation = DiscriminatorAugmentation(timeShiftShare: 0.25, gain: 0.1)
        let trainer = try ProbeGANTrainer(
            configuration: configuration, realData: TinyRun.data(), classifier: TinyRun.classifier())
        if let shards {
            let group = try ShardGroup(shardCount: shards, world: nil)
            try trainer.computeShards(group.localShards, of: group)
        }
        return trainer
    }

    /// One shard is the whole batch: the sharded code path must then be the plain one, bit for bit
    /// (on one engine thread, as every shard runs).
    @Test func oneShardIsThePlainTraining() throws {
        let plain = try Self.trainer(batch: 6, shards: nil)
        let sharded = try Self.trainer(batch: 6, shards: 1)
        for _ in 0..<3 {
            _ = try EngineThreads.limited(to: 1) { try plain.trainIteration() }
            _ = try sharded.trainIteration()
        }
        let sameGenerator = TinyRun.values(sharded.generator) == TinyRun.values(plain.generator)
        let sameDiscriminator = TinyRun.values(sharded.discriminator) == TinyRun.values(plain.discriminator)
        #expect(sameGenerator && sameDiscriminator)
    }

    /// Four shards compute the whole batch's losses and updates (synchronised batch norm, global
    /// denominators of every mean, the whole batch's random numbers): equal up to rounding.
    @Test func fourShardsTrainLikeTheWholeBatch() throws {
        let plain = try Self.trainer(batch: 8, shards: nil)
        let sharded = try Self.trainer(batch: 8, shards: 4)
        #expect(sharded.shardCount == 4)
        let initial = TinyRun.values(plain.generator) + TinyRun.values(plain.discriminator)
        func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-4 * max(1, abs(a)) }
        for _ in 0..<3 {
            let whole = try plain.trainIteration()
            let parts = try sharded.trainIteration()
            for (a, b) in [
                (whole.discriminator.hinge, parts.discriminator.hinge),
                (whole.discriminator.wasserstein, parts.discriminator.wasserstein),
                (whole.discriminator.penalty, parts.discriminator.penalty),
                (whole.generator.conditional, parts.generator.conditional),
                (whole.generator.unconditional, parts.generator.unconditional),
                (whole.generator.classification, parts.generator.classification),
            ] {
                #expect(close(a, b), "losses \(a) (whole batch) and \(b) (four shards)")
            }
        }
        // Adam's first steps move each parameter by about the learning rate times the sign of its
        // gradient, so a gradient near 0 may flip with rounding: compare on average, against the
        // size of the updates.
        let whole = TinyRun.values(plain.generator) + TinyRun.values(plain.discriminator)
        let parts = TinyRun.values(sharded.generator) + TinyRun.values(sharded.discriminator)
        func meanDistance(_ a: [[Float]], _ b: [[Float]]) -> Double {
            let pairs = Array(zip(a.joined(), b.joined()))
            return pairs.reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(max(pairs.count, 1))
        }
        let update = meanDistance(whole, initial)
        let difference = meanDistance(whole, parts)
        #expect(update > 0 && difference < 0.01 * update, "updates \(update), whole batch against shards \(difference)")
    }

    @Test func aBatchThatDoesNotSplitIsRefused() throws {
        let trainer = try Self.trainer(batch: 6, shards: nil)
        let group = try ShardGroup(shardCount: 4, world: nil)
        #expect(throws: ProbeGANError.self) { try trainer.computeShards(group.localShards, of: group) }
    }
}
