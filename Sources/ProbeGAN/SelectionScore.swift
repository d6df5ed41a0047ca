import StudioData
import StudioEvaluation
import StudioModels
import StudioSupport
import StudioTensor

/// The leak-free model-selection statistic. It looks only at generated samples and the probed
/// classifier, never at real data of an unseen class and never at the judge: for every class the
/// generator is trained to render, the share of samples the classifier still assigns to that class
/// after a small PGD attack away from it. Samples that only fool the classifier (the adversarial
/// drift the feasibility run measured) flip under a small push; samples that carry the class's
/// evidence do not. The score is the mean of these robust recognition rates over the classes.
///
/// The score saturates near 1 once every class is recognised, while the seen classes may still look
/// unlike their real clips (a classifier asks "which class?", not "how real?"). So each evaluation also
/// measures seen-class fidelity: the Frechet distance, in the probed classifier's penultimate
/// features, between generated samples of each seen class and that class's real training examples
/// (which the GAN trains on anyway). `isImprovement` breaks near-ties of the score by it. A
/// model-free `fidelity` (audio: speech-likeness of the rendered clips), when given, is measured at
/// every evaluation too, and with `fidelityBreaksTies` it replaces the feature distance.
public struct SelectionScore: Sendable {
    /// The attack (small; in [-1, 1] input units).
    public var attack: ProjectedGradientDescent
    /// Per class, feature statistics of real training examples (`nil` for classes without real data).
    public var seenReference: [GaussianStatistics?] = []
    /// Scores closer than this count as tied, and the seen-class distance decides.
    public var tolerance: Float = 0.02
    /// The modality's model-free measure of the seen classes (nil: none).
    public var fidelity: (any SeenClassFidelity)?
    /// True when `fidelity`'s mean distance, not the feature distance, breaks near-ties.
    public var fidelityBreaksTies = false

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
        /// Per class, the Frechet distance of generated samples to real training examples in the
        /// probed classifier's features (`nil` for classes without a reference).
        public var seenDistance: [Double?] = []
        /// The mean of the distance that breaks near-ties: `seenDistance`'s, or `fidelity`'s when
        /// it breaks them.
        public var meanSeenDistance: Double?
        /// The model-free fidelity measurement, when the selection has one.
        public var fidelity: FidelityMeasurement?

        /// A result from its parts.
        public init(
            recognition: [Float?], robustRecognition: [Float?], score: Float, seenDistance: [Double?] = [],
            meanSeenDistance: Double? = nil
        ) {
            self.recognition = recognition
            self.robustRecognition = robustRecognition
            self.score = score
            self.seenDistance = seenDistance
            self.meanSeenDistance = meanSeenDistance
        }

        /// True when this result should replace `best`: a clearly higher score, or a score within
        /// `tolerance` and seen classes closer to their real examples.
        public func isImprovement(over best: (score: Float, seenDistance: Double?)?, tolerance: Float) -> Bool {
            guard let best else { return true }
            if score > best.score + tolerance { return true }
            if score >= best.score - tolerance, let mine = meanSeenDistance, let theirs = best.seenDistance {
                return mine < theirs
            }
            return score > best.score
        }
    }

    /// Feature statistics of up to `perClass` real examples of each class present in `data`
    /// (the GAN's own training set: seen classes only).
    public static func reference(
        data: ClassificationData, classifier: any ImageClassifier, perClass: Int = 512, seed: UInt64
    ) -> [GaussianStatistics?] {
        var random = SplitMix64(seed: seed)
        return data.classNames.indices.map { label in
            var indices = data.labels.indices.filter { data.labels[$0] == label }
            guard indices.count >= 8 else { return nil }
            indices.shuffle(using: &random)
            let (images, _) = data.batch(Array(indices.prefix(perClass)))
            return try? GaussianStatistics(
                features: features(classifier, images),
                width: classifier.features(images.slice(axis: 0, 0..<1)).shape[1])
        }
    }

    /// Penultimate features of `images` `[N * width]`, computed in batches.
    public static func features(_ classifier: any ImageClassifier, _ images: Tensor, batchSize: Int = 128) -> [Float] {
        var out = [Float]()
        var start = 0
        while start < images.shape[0] {
            let end = min(start + batchSize, images.shape[0])
            out += classifier.features(images.slice(axis: 0, start..<end)).scalars
            start = end
        }
        return out
    }

    /// Scores `samples[c]` (generated samples of class `c`, or `nil`).
    /// - Throws: what `fidelity` throws.
    public func evaluate(samples: [Tensor?], classifier: any ImageClassifier, seed: UInt64) throws -> Result {
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
        var distances = [Double?]()
        for (label, images) in samples.enumerated() {
            guard let images, label < seenReference.count, let reference = seenReference[label] else {
                distances.append(nil)
                continue
            }
            let generated = try? GaussianStatistics(features: Self.features(classifier, images), width: reference.width)
            distances.append(generated.flatMap { try? FrechetDistance.distance($0, reference) })
        }
        let rendered = robust.compactMap { $0 }
        let measured = distances.compactMap { $0 }
        var result = Result(
            recognition: recognition, robustRecognition: robust,
            score: rendered.isEmpty ? 0 : rendered.reduce(0, +) / Float(rendered.count), seenDistance: distances,
            meanSeenDistance: measured.isEmpty ? nil : measured.reduce(0, +) / Double(measured.count))
        if let fidelity {
            let measurement = try fidelity.measure(samples, seed: seed)
            result.fidelity = measurement
            if fidelityBreaksTies { result.meanSeenDistance = measurement.meanDistance }
        }
        return result
    }

    /// The share of rows of `logits` whose predicted class is `label`.
    public static func share(_ logits: Tensor, label: Int) -> Float {
        let predicted = logits.argmaxRows()
        return Float(predicted.filter { $0 == label }.count) / Float(max(predicted.count, 1))
    }
}
