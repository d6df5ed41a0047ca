import StudioClassifiers
import StudioModels
import StudioSupport
import StudioTensor

/// The leak-free model-selection statistic. It looks only at generated samples and the probed
/// classifier, never at real data of an unseen class and never at the judge: for every class the
/// generator is trained to render, the share of samples the classifier still assigns to that class
/// after a small PGD attack away from it. Samples that only fool the classifier (the adversarial
/// drift the feasibility run measured) flip under a small push; samples that carry the class's
/// evidence do not. The score is the mean of these robust recognition rates over the classes.
public struct SelectionScore: Sendable {
    /// The attack (small; in [-1, 1] input units).
    public var attack: ProjectedGradientDescent

    /// A statistic with a `budget` PGD attack of `steps` steps.
    public init(budget: PerturbationBudget = .l2(1.0), steps: Int = 5) {
        attack = ProjectedGradientDescent(budget: budget, steps: steps)
    }

    /// One evaluation's numbers, per class in label order (`nil` for classes not rendered).
    public struct Result: Sendable, Codable, Equatable {
        /// Share of samples the probed classifier assigns to their class, clean and after the attack.
        public var recognition: [Float?], robustRecognition: [Float?]
        /// Mean robust recognition over the rendered classes.
        public var score: Float
    }

    /// Scores `samples[c]` (generated samples of class `c`, or `nil`).
    public func evaluate(samples: [Tensor?], classifier: any ImageClassifier, seed: UInt64) -> Result {
        classifier.detachParameters()
        var random = SplitMix64(seed: seed)
        var recognition = [Float?]()
        var robust = [Float?]()
        for (label, images) in samples.enumerated() {
            guard let images else {
                recognition.append(nil)
                robust.append(nil)
                continue
            }
            let labels = Array(repeating: label, count: images.shape[0])
            recognition.append(Self.share(classifier.logits(images), label: label))
            let attacked = attack.attack(images, labels: labels, model: classifier.logits, using: &random)
            robust.append(Self.share(classifier.logits(attacked), label: label))
        }
        let rendered = robust.compactMap { $0 }
        return Result(
            recognition: recognition, robustRecognition: robust,
            score: rendered.isEmpty ? 0 : rendered.reduce(0, +) / Float(rendered.count))
    }

    /// The share of rows of `logits` whose predicted class is `label`.
    public static func share(_ logits: Tensor, label: Int) -> Float {
        let predicted = ClassifierEvaluation.argmaxRows(logits)
        return Float(predicted.filter { $0 == label }.count) / Float(max(predicted.count, 1))
    }
}
