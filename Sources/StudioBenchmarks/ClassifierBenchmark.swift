import Foundation
import StudioClassifiers
import StudioModels
import StudioOptimizers
import StudioSupport
import StudioTensor

/// Training throughput of the probed classifier (residual CNN 16,32,64 on 1x64x64, batch 64,
/// Adam): regular steps and PGD-3 adversarial steps (l2 1.5), the same work as
/// `Benchmarks/anchors/classifier_torch.py`.
func classifierBenchmark() throws {
    let steps = Int(option("steps", default: "20")) ?? 20
    let batch = Int(option("batch", default: "64")) ?? 64
    var random = SplitMix64(seed: 0)
    let model = ResidualClassifier(inputChannels: 1, classCount: 3, widths: [16, 32, 64], using: &random)
    let optimizer = Adam(learningRate: 1e-3, weightDecay: 5e-4)
    let x = Tensor.randomUniform([batch, 1, 64, 64], lower: -1, upper: 1, using: &random)
    let labels = (0..<batch).map { _ in Int(random.next() % 3) }
    let attack = ProjectedGradientDescent(budget: .l2(1.5), steps: 3)
    for robust in [false, true] {
        var times = [Double]()
        for step in 0..<(steps + 2) {
            let elapsed = try seconds {
                var inputs = x
                if robust {
                    model.setTraining(false)
                    model.detachParameters()
                    inputs = attack.attack(x, labels: labels, model: model.logits, using: &random)
                }
                model.setTraining(true)
                let tape = Tape()
                let parameters = model.watch(on: tape)
                let loss = Tensor.crossEntropy(logits: model.logits(inputs), labels: labels)
                try optimizer.update(
                    model.trainableParameters, gradients: tape.gradients(of: loss, withRespectTo: parameters))
            }
            if step >= 2 { times.append(elapsed) }
        }
        print("\(robust ? "robust_clips_per_second" : "clips_per_second")=\(Double(batch) / median(times))")
    }
}
