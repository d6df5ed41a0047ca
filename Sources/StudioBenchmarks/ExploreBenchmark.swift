import EGBAS
import Foundation
import StudioModels
import StudioSupport
import StudioTensor

/// E-GBAS's two kernels on the quick preset's audio generator (widths 4ch, 4ch, 2ch, ch, ch with
/// ch 16, 1x64x64, latent 128; seeded, evaluation mode): one BerOpt step (8 relaxed masks, the
/// masked forward and the backward to theta) at layer `block1.relu2`, and one region test (the
/// forward up to that layer for a batch of 64 proposals). Then one whole E-GBAS query with the
/// default settings: accepted samples per second and region tests per accepted sample.
func exploreBenchmark() throws {
    let ch = Int(option("channels", default: "16")) ?? 16
    let repeats = Int(option("repeats", default: "5")) ?? 5
    let layer = 1
    var random = SplitMix64(seed: 0)
    let generator = Generator(
        classCount: 3, widths: [4 * ch, 4 * ch, 2 * ch, ch, ch], outputChannels: 1, using: &random)
    // Standing statistics of a few random batches, then evaluation mode (as a trained run samples).
    generator.setTraining(true)
    for _ in 0..<4 {
        _ = generator(Tensor.randomNormal([64, 128], using: &random), labels: Array(repeating: 2, count: 64))
    }
    generator.setTraining(false)
    let layered = ClassConditionalGenerator(generator: generator, label: 2)
    let z0 = Tensor.randomNormal([1, 128], using: &random)

    var optimization = BernoulliMaskOptimization()
    func berOpt(steps: Int) throws -> Double {
        optimization.steps = steps
        return try seconds { _ = try optimization.optimize(generator: layered, query: z0, layer: layer, seed: 1) }
    }
    _ = try berOpt(steps: 2)
    let stepTimes = try (0..<repeats).map { _ in (try berOpt(steps: 12) - (try berOpt(steps: 2))) / 10 }
    let batch = Tensor.randomNormal([64, 128], using: &random)
    _ = layered.preActivations(batch, layer: layer)
    let testTimes = (0..<repeats).map { _ in seconds { _ = layered.preActivations(batch, layer: layer) } }
    print("berOpt_step_ms=\(median(stepTimes) * 1000)")
    print("region_test_batch64_ms=\(median(testTimes) * 1000)")

    optimization.steps = BernoulliMaskOptimization().steps
    var sampling = BoundaryAwareSampling()
    sampling.maskOptimization = optimization
    var exploration: BoundaryAwareSampling.Exploration?
    let total = try seconds {
        exploration = try sampling.explore(generator: layered, query: z0, layer: layer, seed: 2)
    }
    let tree = exploration!.tree
    let accepted = tree.nodes.count - 1
    for (key, value) in [
        ("berOpt_steps", sampling.maskOptimization.steps), ("rrt_iterations", sampling.tree.iterations),
        ("rrt_batch", sampling.tree.batchSize), ("accepted", accepted), ("evaluations", tree.evaluations),
        ("boundaries", exploration!.region.boundaryCount), ("units", exploration!.region.indicator.count),
    ] {
        print("\(key)=\(value)")
    }
    print("egbas_query_s=\(total)")
    print("accepted_per_s=\(Double(accepted) / total)")
    print("evaluations_per_accepted=\(Double(tree.evaluations) / Double(max(accepted, 1)))")
}
