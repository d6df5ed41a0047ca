import Foundation
import ProbeGAN
import StudioClassifiers
import StudioData
import StudioEvaluation
import StudioModels
import StudioNN
import StudioSupport
import StudioTensor

/// The independent judge's view of a run: recognition of generated samples and Frechet distances
/// to held-out real data in the judge's feature space. Never used for training or selection.
public enum RunEvaluation {
    /// The judge's recognition rate per class of `samples[c]` (nil where there are none).
    public static func judgeRecognition(samples: [Tensor?], judge: any ImageClassifier) -> [Float?] {
        judge.detachParameters()
        return samples.enumerated().map { label, images in
            images.map { SelectionScore.share(judge.logits($0), label: label) }
        }
    }

    /// The seed of the latents the run's summary samples class `label` from.
    public static func summarySeed(_ configuration: ProbeGANConfiguration, label: Int) -> UInt64 {
        configuration.seed &+ 0xE7A1 &+ UInt64(label)
    }

    static func features(_ model: any ImageClassifier, _ images: Tensor) -> [Float] {
        SelectionScore.features(model, images)
    }

    /// The distance between two random halves of held-out features (rows of `width`): what real
    /// data scores. The rows are shuffled first (held-out clips are stored speaker by speaker).
    static func realHalvesDistance(_ real: [Float], width: Int, seed: UInt64) throws -> Double {
        var random = SplitMix64(seed: seed)
        let rows = (0..<(real.count / width)).shuffled(using: &random)
        let half = rows.count / 2
        func gather(_ part: ArraySlice<Int>) -> [Float] { part.flatMap { real[($0 * width)..<(($0 + 1) * width)] } }
        return try FrechetDistance.distance(gather(rows[..<half]), gather(rows[half...]), width: width)
    }

    /// Samples the selected generator, measures every class with the judge and the probed
    /// classifier, and writes `summary.json`.
    static func summarize(
        folder: RunFolder, configuration: ProbeGANConfiguration, classifierLabel: String, test: ClassificationData,
        judge: any ImageClassifier, classifier: any ImageClassifier, samples: Int, stopReason: String,
        trainer: ProbeGANTrainer
    ) throws -> RunSummary {
        let generator = try folder.loadBestGenerator(configuration)
        let selected = try folder.readRun().selectedIteration
        judge.detachParameters()
        classifier.detachParameters()
        var classes = [String: RunSummary.ClassResult]()
        for label in configuration.finalClasses {
            let images = GeneratorSampling.samples(
                generator, label: label, count: samples, seed: summarySeed(configuration, label: label))
            let realIndices = (0..<test.count).filter { test.labels[$0] == label }
            var distance: Double?
            var floor: Double?
            let width = judge.features(images.slice(axis: 0, 0..<1)).shape[1]
            if realIndices.count >= 2 {
                let real = features(judge, test.batch(realIndices).0)
                distance = try FrechetDistance.distance(features(judge, images), real, width: width)
                if realIndices.count >= 8 {
                    floor = try realHalvesDistance(real, width: width, seed: configuration.seed &+ UInt64(label))
                }
            }
            classes[configuration.classNames[label]] = RunSummary.ClassResult(
                judgeRecognition: SelectionScore.share(judge.logits(images), label: label),
                classifierRecognition: SelectionScore.share(classifier.logits(images), label: label),
                frechetDistance: distance, heldOutHalvesDistance: floor, heldOutCount: realIndices.count,
                unseen: configuration.unseen.contains(label))
        }
        let summary = RunSummary(
            method: configuration.method.rawValue, preset: configuration.preset.rawValue, classifier: classifierLabel,
            unseen: configuration.unseen.map { configuration.classNames[$0] }, iterations: trainer.iteration,
            selectedIteration: selected, stopReason: stopReason,
            trainingSeconds: ProbeGANTrainer.elapsedSeconds(in: try Checkpoint.read(from: folder.lastCheckpoint)) ?? 0,
            classes: classes, samplesPerClass: samples,
            notes: [
                "judgeRecognition and frechetDistance come from the independent judge (another architecture and seed), "
                    + "never used for training, selection or stopping; it is a classifier, not a human listener.",
                "frechetDistance compares generated samples with held-out real clips (test speakers) in the judge's "
                    + "penultimate features; lower is closer. heldOutHalvesDistance is the distance between two "
                    + "random halves of those real clips: the value real data gets at about half the sample size.",
                configuration.method == .oracle
                    ? "ORACLE saw the unseen class's real data: an upper bound, not a probe."
                    : "No real clip of an unseen class was in the GAN's training set (manifest.json).",
            ])
        try AtomicFile.write(try RunFolder.json(summary), to: folder.summary)
        return summary
    }
}
