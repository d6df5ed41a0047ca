import StudioTensor

/// How the leak-free selection rule measures whether the seen classes look like their real
/// training examples, the measure that breaks near-ties of the selection score.
public enum SelectionFidelity: String, Sendable, Codable, CaseIterable {
    /// The Frechet distance in the probed classifier's penultimate features (any modality).
    case classifierFeatures = "classifier-features"
    /// A model-free measure supplied by the modality's layer (audio: the speech-likeness of the
    /// rendered clips against the GAN's own training clips rendered the same way).
    case speechLikeness = "speech-likeness"
}

/// One evaluation's model-free fidelity numbers, per class in label order.
public struct FidelityMeasurement: Sendable, Codable, Equatable {
    /// The distance of each class's generated samples to that class's real training examples
    /// (nil for classes without real training data or without samples).
    public var distances: [Double?]
    /// Named statistics of each class's generated samples alone (nil for classes without samples),
    /// for the log; selection never reads them.
    public var statistics: [[String: Double]?]

    /// A measurement from its parts.
    public init(distances: [Double?], statistics: [[String: Double]?]) {
        self.distances = distances
        self.statistics = statistics
    }

    /// The mean of `distances` over the classes that have one.
    public var meanDistance: Double? {
        let measured = distances.compactMap { $0 }
        return measured.isEmpty ? nil : measured.reduce(0, +) / Double(measured.count)
    }
}

/// A model-free measure of generated samples against the real training examples of each seen
/// class, supplied by the layer that knows the modality: ProbeGAN itself never renders audio. It may
/// see only the GAN's own training set, never an unseen class's data or a judge.
public protocol SeenClassFidelity: Sendable {
    /// Measures `samples[c]` (generated samples of class `c`, or nil); `seed` fixes any random
    /// choice, so an evaluation repeats bit for bit.
    func measure(_ samples: [Tensor?], seed: UInt64) throws -> FidelityMeasurement
}
