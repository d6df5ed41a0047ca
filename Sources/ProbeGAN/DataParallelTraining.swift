import Foundation
import StudioModels
import StudioNN
import StudioSupport
import StudioTensor

// Data-parallel ProbeGAN training: every batch splits into the fixed shards of a `ShardExchange`;
// this process computes some of them, each on its own copy of the generator and discriminator, in
// its own thread with one engine thread. The copies stay identical: each applies the same summed
// gradients. The first copy is the trainer's own models, which checkpoints, the EMA and the
// evaluation read.

extension ProbeGANTrainer {
    /// Splits every batch into the shards of `exchange` and computes `localShards` of them here;
    /// other processes (MPI ranks) compute the rest in lockstep. The training is the same bits
    /// whichever process computes which shard.
    /// - Throws: `ProbeGANError.shardsDoNotFit` when the batch does not split into the shards.
    public func computeShards(_ localShards: Range<Int>, of exchange: any ShardExchange) throws {
        let shards = exchange.shardCount
        guard configuration.batchSize % shards == 0 else {
            throw ProbeGANError.shardsDoNotFit(
                reason: "a batch of \(configuration.batchSize) does not split into \(shards) equal shards; pass a "
                    + "batch size divisible by \(shards) or another shard count")
        }
        guard !localShards.isEmpty, localShards.lowerBound >= 0, localShards.upperBound <= shards else {
            throw ProbeGANError.shardsDoNotFit(reason: "shards \(localShards) are not among 0..<\(shards)")
        }
        step.shardPeer = ShardPeer(exchange: exchange, shard: localShards.lowerBound)
        shardSteps = [step]
        for shard in localShards.dropFirst() {
            let copy = Self.makeStep(
                configuration, generator: ProbeGANModels.generator(configuration, seed: configuration.seed),
                discriminator: ProbeGANModels.discriminator(configuration, seed: configuration.seed &+ 1),
                classifier: classifier, labelSampler: labelSampler)
            copy.shardPeer = ShardPeer(exchange: exchange, shard: shard)
            shardSteps.append(copy)
        }
        shardCopiesAreStale = true
    }

    /// The number of shards of every batch (1: no data parallelism).
    public var shardCount: Int { step.shardPeer?.shardCount ?? 1 }

    /// Gives every shard's copy the trainer's weights, buffers and optimiser state.
    func synchronizeShardCopies() throws {
        let generatorState = step.generatorOptimizer.state(of: generator.namedParameters())
        let discriminatorState = step.discriminatorOptimizer.state(of: discriminator.namedParameters())
        for copy in shardSteps.dropFirst() {
            ProbeGANModels.copyState(from: generator, to: copy.generator)
            ProbeGANModels.copyState(from: discriminator, to: copy.discriminator)
            try copy.generatorOptimizer.restore(
                step: generatorState.step, tensors: generatorState.tensors, of: copy.generator.namedParameters())
            try copy.discriminatorOptimizer.restore(
                step: discriminatorState.step, tensors: discriminatorState.tensors,
                of: copy.discriminator.namedParameters())
        }
        shardCopiesAreStale = false
    }

    /// Runs `body` for every local shard at once, each in its own thread with one engine thread
    /// and its own copy of the random state (all copies draw the same numbers); returns the first
    /// shard's result and keeps its random state. The shards meet in the exchange, so none may be
    /// left waiting: every thread runs until its body returns.
    func runShards<Result>(_ body: @escaping (ProbeGANStep, inout SplitMix64) throws -> Result) throws -> Result {
        if shardCopiesAreStale { try synchronizeShardCopies() }
        let count = shardSteps.count
        let outcomes = ShardOutcomes<Result>(count: count, random: random)
        let steps = UncheckedSendable(shardSteps)
        let work = UncheckedSendable(body)
        let finished = DispatchGroup()
        for index in 1..<max(count, 1) {
            finished.enter()
            let thread = Thread {
                outcomes.run(index) { random in try work.value(steps.value[index], &random) }
                finished.leave()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        outcomes.run(0) { random in try work.value(steps.value[0], &random) }
        finished.wait()
        random = outcomes.randoms[0]
        return try outcomes.results[0].get()
    }
}

/// The results of the shard threads of one `runShards` call.
private final class ShardOutcomes<Result>: @unchecked Sendable {
    private(set) var results: [Swift.Result<Result, any Error>]
    private(set) var randoms: [SplitMix64]
    private let lock = NSLock()

    init(count: Int, random: SplitMix64) {
        results = Array(repeating: .failure(CancellationError()), count: count)
        randoms = Array(repeating: random, count: count)
    }

    func run(_ index: Int, _ body: (inout SplitMix64) throws -> Result) {
        var random = lock.withLock { randoms[index] }
        let result = EngineThreads.limited(to: 1) { Swift.Result { try body(&random) } }
        lock.withLock {
            results[index] = result
            randoms[index] = random
        }
    }
}

/// Carries a value the caller guarantees is used safely into another thread.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
