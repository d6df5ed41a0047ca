import Foundation

/// What a pitch-only classifier reads of a clip: its median F0 (nil when it has too few voiced
/// frames) and the share of its frames that are voiced.
public struct PitchObservation: Sendable, Codable, Equatable {
    /// Median F0 in Hz, nil for a clip without enough voiced frames.
    public var medianF0: Float?
    /// Voiced frames over frames examined, 0...1.
    public var voicedShare: Float

    /// An observation.
    public init(medianF0: Float?, voicedShare: Float) {
        self.medianF0 = medianF0
        self.voicedShare = voicedShare
    }
}

/// A classifier that knows nothing but pitch: per class, the chance that a clip has a pitch at
/// all, a two-dimensional Gaussian over (log F0, voiced share) for clips that have one, and a
/// one-dimensional Gaussian over the voiced share for clips that do not. Equal class priors.
///
/// Fitted on real clips only, it is an evaluation instrument: pitch is physics, not a learned
/// opinion of the spectrogram, so it does not share a CNN judge's blind spots. It cannot tell a
/// drone from speech (see `ClipAcoustics` for that), and it cannot decide between classes whose
/// pitch distributions overlap (often nonhuman sounds, which are mostly unvoiced).
public struct PitchClassifier: Sendable, Codable {
    /// One class's model.
    public struct ClassModel: Sendable, Codable {
        /// Share of the class's clips with a pitch (smoothed: (voiced + 1) / (count + 2)).
        public let pitchedShare: Double
        /// Mean and covariance (row-major 2x2) of (ln F0, voiced share) over pitched clips.
        public let pitchedMean: [Double], pitchedCovariance: [Double]
        /// Mean and variance of the voiced share over clips without a pitch.
        public let unpitchedMean: Double, unpitchedVariance: Double
        /// Clips the model was fitted on, with and without a pitch.
        public let pitchedCount: Int, unpitchedCount: Int
    }

    /// Class names, by label.
    public let classNames: [String]
    /// One model per class.
    public let models: [ClassModel]

    /// The variance floor added to every variance, so a class whose clips all share one value
    /// still has a proper density (log F0: about a tenth of a semitone; voiced share: 1%).
    static let floor = (logF0: 0.005 * 0.005, share: 0.01 * 0.01)

    /// Fits one model per class on `observations` with `labels`.
    /// - Throws: `EvaluationError.emptyClass` when a class has no clip at all.
    public init(observations: [PitchObservation], labels: [Int], classNames: [String]) throws {
        precondition(observations.count == labels.count, "PitchClassifier: one label per observation")
        self.classNames = classNames
        models = try classNames.indices.map { label in
            let mine = zip(observations, labels).filter { $0.1 == label }.map(\.0)
            guard !mine.isEmpty else { throw EvaluationError.emptyClass(name: classNames[label]) }
            let pitched = mine.compactMap { o in o.medianF0.map { [log(Double($0)), Double(o.voicedShare)] } }
            let unpitched = mine.filter { $0.medianF0 == nil }.map { Double($0.voicedShare) }
            var mean = [0.0, 0.0]
            var covariance = [Self.floor.logF0, 0, 0, Self.floor.share]
            if !pitched.isEmpty {
                mean = [0, 1].map { column in pitched.map { $0[column] }.reduce(0, +) / Double(pitched.count) }
                if pitched.count >= 2 {
                    for i in 0..<2 {
                        for j in 0..<2 {
                            covariance[i * 2 + j] +=
                                pitched.map { ($0[i] - mean[i]) * ($0[j] - mean[j]) }.reduce(0, +)
                                / Double(pitched.count - 1)
                        }
                    }
                }
            }
            let unpitchedMean = unpitched.isEmpty ? 0 : unpitched.reduce(0, +) / Double(unpitched.count)
            let unpitchedVariance =
                Self.floor.share
                + (unpitched.count >= 2
                    ? unpitched.map { ($0 - unpitchedMean) * ($0 - unpitchedMean) }.reduce(0, +)
                        / Double(unpitched.count - 1) : 0)
            return ClassModel(
                pitchedShare: Double(pitched.count + 1) / Double(mine.count + 2), pitchedMean: mean,
                pitchedCovariance: covariance, unpitchedMean: unpitchedMean, unpitchedVariance: unpitchedVariance,
                pitchedCount: pitched.count, unpitchedCount: unpitched.count)
        }
    }

    /// The log-likelihood of `observation` under each class's model.
    public func logLikelihoods(_ observation: PitchObservation) -> [Double] {
        models.map { model in
            let share = Double(observation.voicedShare)
            guard let f0 = observation.medianF0 else {
                // A class none of whose clips lacks a pitch still scores by its smoothed share.
                let deviation = share - model.unpitchedMean
                return log(1 - model.pitchedShare) - 0.5 * log(2 * .pi * model.unpitchedVariance)
                    - 0.5 * deviation * deviation / model.unpitchedVariance
            }
            guard model.pitchedCount > 0 else { return log(model.pitchedShare) - 1e6 }
            let c = model.pitchedCovariance
            let determinant = c[0] * c[3] - c[1] * c[2]
            let d = [log(Double(f0)) - model.pitchedMean[0], share - model.pitchedMean[1]]
            let quadratic = (c[3] * d[0] * d[0] - (c[1] + c[2]) * d[0] * d[1] + c[0] * d[1] * d[1]) / determinant
            return log(model.pitchedShare) - log(2 * .pi) - 0.5 * log(determinant) - 0.5 * quadratic
        }
    }

    /// The most likely class label (ties go to the lower label).
    public func predict(_ observation: PitchObservation) -> Int {
        predict(observation, among: Array(classNames.indices))
    }

    /// The most likely of the `candidates` labels (for a two-class decision such as men against
    /// women); ties go to the earlier candidate.
    public func predict(_ observation: PitchObservation, among candidates: [Int]) -> Int {
        let scores = logLikelihoods(observation)
        var best = candidates[0]
        for label in candidates.dropFirst() where scores[label] > scores[best] { best = label }
        return best
    }
}
