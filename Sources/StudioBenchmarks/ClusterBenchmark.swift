import Foundation
import ProbeGAN
import StudioData
import StudioDistributed
import StudioModels
import StudioSupport
import StudioTensor

/// The quick preset's training iteration (mel 1x64x64, channel base 16, batch 32, 2 D steps,
/// three classes with one unseen) through `ProbeGANTrainer`, plain or with `--shards S` shards
/// over this process's threads and, under `mpirun`, its ranks. Every rank runs the same fixed
/// number of iterations; rank 0 prints. Under `mpirun` it also times one step of the recursive
/// doubling that sums shards (a trade between two ranks), for a small and a gradient-sized
/// message (latency and bandwidth).
func clusterBenchmark() throws {
    let shards = Int(option("shards", default: "0")) ?? 0
    let iterations = Int(option("iterations", default: "5")) ?? 5
    var configuration = ProbeGANConfiguration(
        method: .probegan, preset: .quick, classNames: ["men", "women", "nonhuman"], unseen: [1],
        inputShape: [1, 64, 64])
    configuration.iterations = iterations + 1
    var random = SplitMix64(seed: 0)
    let count = 256
    let labels = (0..<count).map { $0 % 2 == 0 ? 0 : 2 }
    let inputs = (0..<(count * 64 * 64)).map { _ in 2 * random.nextUnitFloat() - 1 }
    let data = ClassificationData(
        inputs: inputs, labels: labels, classNames: configuration.classNames, channels: 1, height: 64, width: 64)
    let classifier = ConvolutionalClassifier(inputChannels: 1, classCount: 3, using: &random)
    let trainer = try ProbeGANTrainer(configuration: configuration, realData: data, classifier: classifier)
    let world = try MPIWorld.launched()
    var group: ShardGroup?
    if shards > 0 {
        let made = try ShardGroup(shardCount: shards, world: world)
        try trainer.computeShards(made.localShards, of: made)
        group = made
    }
    let isRankZero = (world?.rank ?? 0) == 0
    func say(_ line: String) { if isRankZero { print(line) } }
    say(
        "ranks=\(world?.size ?? 1) shards=\(shards) local_shards=\(group?.localShards.count ?? 0) "
            + "generator_widths=\(configuration.generatorWidths.map(String.init).joined(separator: ",")) "
            + "batch=\(configuration.batchSize) "
            + "d_steps=\(configuration.discriminatorSteps) threads=\(EngineThreads.count)")
    var times = [Double]()
    var exchangeBefore: (seconds: Double, count: Int) = group?.rankExchange ?? (0, 0)
    var exchangeTimes = [Double]()
    var exchangeCounts = [Int]()
    for iteration in 0...iterations {
        let time = try seconds { _ = try trainer.trainIteration() }
        let exchange: (seconds: Double, count: Int) = group?.rankExchange ?? (0, 0)
        if iteration > 0 {
            times.append(time)
            exchangeTimes.append(exchange.seconds - exchangeBefore.seconds)
            exchangeCounts.append(exchange.count - exchangeBefore.count)
        }
        exchangeBefore = exchange
        say("iteration \(iteration): \(String(format: "%.0f", time * 1000)) ms")
    }
    say("iteration_s=\(median(times))")
    say(
        "rank_exchange_s_per_iteration=\(median(exchangeTimes)) rank_exchanges_per_iteration=\(exchangeCounts.max() ?? 0)"
    )
    let gradientFloats =
        trainer.generator.trainableParameters.reduce(0) { $0 + $1.value.count }
        + trainer.discriminator.trainableParameters.reduce(0) { $0 + $1.value.count }
    say("gradient_floats_per_iteration=\(gradientFloats * (configuration.discriminatorSteps + 1))")
    if let world, world.size > 1 {
        // One step of the recursive doubling that sums the shards: a trade with one partner.
        for (name, bytes) in [("trade_small", 8), ("trade_gradients", 4 * gradientFloats)] {
            let message = [UInt8](repeating: 1, count: bytes)
            let partner = world.rank ^ 1
            guard partner < world.size else { break }
            _ = world.trade(message, with: partner)
            var samples = [Double]()
            for _ in 0..<20 { samples.append(seconds { _ = world.trade(message, with: partner) }) }
            say("\(name)_bytes=\(bytes) \(name)_s=\(median(samples))")
        }
        world.finalize()
    }
}
