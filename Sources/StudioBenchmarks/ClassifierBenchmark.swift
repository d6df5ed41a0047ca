import Foundation
import StudioClassifiers
import StudioModels
import StudioOptimizers
import StudioSupport
import StudioTensor

/// Training throughput of the probed classifier (residual CNN on 1x64x64, `--widths` 16,32,64 by
/// default, 24,48,96 for the audio default; batch 64, Adam): regular steps and PGD-3 adversarial
/// steps (l2 1.5), the same work as `Benchmarks/anchors/classifier_torch.py`.
func classifierBenchmark() throws {
    let steps = Int(option("steps", default: "20")) ?? 20
    let batch = Int(option("batch", default: "64")) ?? 64
    let widths = option("widths", default: "16,32,64").split(separator: ",").compactMap { Int($0) }
    var random = SplitMix64(seed: 0)
    let model = ResidualClassifier(inputChannels: 1, classCount: 3, widths: widths, using: &random)
    let optimizer = Adam(learningRate: 1e-3, weightDecay: 5e-4)
    let x = Tensor.randomUniform([batch, 1, 64, 64], lower: -1, upper: 1, using: &random)
    let labels = (0..<batch).map { _ in Int(random.next() % 3) }
    for robust in [false, true] {
        let attack = ProjectedGradientDescent(budget: robust ? .l2(1.5) : .none, steps: 3)
        var times = [Double]()
        for step in 0..<(steps + 2) {
            let elapsed = try seconds {
                _ = try ClassifierTrainer.step(
                    model, inputs: x, labels: labels, optimizer: optimizer, attack: attack, using: &random)
            }
            if step >= 2 { times.append(elapsed) }
        }
        print("\(robust ? "robust_clips_per_second" : "clips_per_second")=\(Double(batch) / median(times))")
    }
}
