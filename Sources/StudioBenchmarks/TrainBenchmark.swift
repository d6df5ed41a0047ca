import Foundation
import ProbeGAN
import StudioModels
import StudioOptimizers
import StudioSupport
import StudioTensor

/// One ProbeGAN iteration of the anchor workload (`Benchmarks/anchors/probegan_step_torch.py`, `mel`:
/// 1x64x64, 3 classes with class 2 unseen, batch 32): a discriminator step with hinge + WGAN-GP
/// (double backward), then a generator step through D and a frozen classifier.
func trainBenchmark() throws {
    let batch = Int(option("batch", default: "32")) ?? 32
    let iterations = Int(option("iterations", default: "3")) ?? 3
    // The channel base ch of the mel layout (64: the reference workload; 16 and 32: the quick and
    // standard presets) and the discriminator steps per generator step.
    let ch = Int(option("channels", default: "64")) ?? 64
    let discriminatorSteps = Int(option("d-steps", default: "1")) ?? 1
    var random = SplitMix64(seed: 0)
    let generator = Generator(
        classCount: 3, widths: [4 * ch, 4 * ch, 2 * ch, ch, ch], outputChannels: 1, using: &random)
    let discriminator = Discriminator(
        classCount: 3, inputChannels: 1, widths: [ch, 2 * ch, 4 * ch, 4 * ch], downsamples: [true, true, true, true],
        using: &random)
    let classifier = ConvolutionalClassifier(inputChannels: 1, classCount: 3, using: &random)
    let step = ProbeGANStep(
        generator: generator, discriminator: discriminator, classifier: classifier, method: .probegan,
        labelSampler: FakeLabelSampler(seen: [0, 1], unseen: [2], unseenShare: nil), seenClasses: [0, 1],
        generatorOptimizer: Adam(learningRate: 1e-4, beta1: 0, beta2: 0.999),
        discriminatorOptimizer: Adam(learningRate: 4e-4, beta1: 0, beta2: 0.999))
    let real = Tensor.randomUniform([batch, 1, 64, 64], lower: -1, upper: 1, using: &random)
    let labels = (0..<batch).map { _ in Int(random.next() % 2) }
    print("generator_parameters=\(generator.parameterCount) discriminator_parameters=\(discriminator.parameterCount)")
    var times = [Double]()
    var discriminatorTimes = [Double]()
    for iteration in 0...iterations {
        var losses: ProbeGANStep.DiscriminatorLosses?
        let d = try seconds {
            for _ in 0..<discriminatorSteps {
                losses = try step.discriminatorStep(real: real, realLabels: labels, using: &random)
            }
        }
        var generatorLoss: Float = 0
        let g = try seconds { generatorLoss = try step.generatorStep(batch: batch, using: &random).total }
        if iteration > 0 {
            times.append(d + g)
            discriminatorTimes.append(d)
        }
        print(
            "iteration \(iteration): d \(String(format: "%.0f", d * 1000)) ms, g \(String(format: "%.0f", g * 1000)) ms, "
                + "d_loss \(losses?.total ?? .nan), g_loss \(generatorLoss)")
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print("iteration_s=\(median(times))")
    print("d_step_s=\(median(discriminatorTimes))")
    print("peak_rss_mb=\(Double(usage.ru_maxrss) / 1024)")
}
