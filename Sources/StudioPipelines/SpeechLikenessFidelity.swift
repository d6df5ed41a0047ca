import Foundation
import ProbeGAN
import StudioAudio
import StudioData
import StudioEvaluation
import StudioSupport
import StudioTensor

/// The audio layer's model-free fidelity for ProbeGAN's selection: every generated log-mel image is
/// rendered to audio as `studio render` renders it (NNLS, 64 Griffin-Lim iterations), measured by
/// `ClipAcoustics`, and each seen class's speech-likeness features are compared (Frechet distance,
/// standardised) with the GAN's own training clips of that class put through the same inversion.
/// It needs no classifier, no held-out clip and nothing of an unseen class: the reference is drawn
/// from the data the GAN trains on, which holds seen classes only.
public struct SpeechLikenessFidelity: SeenClassFidelity {
    /// The statistics logged per class, in order: share of clips with a pitch, median F0 movement
    /// (semitones, clips with a pitch), median envelope modulation, diversity (dB); and, when some
    /// clips could not be measured, their number.
    public static let statisticNames = [
        "pitchedShare", "f0Movement", "envelopeModulation", "diversity", "unmeasuredClips",
    ]

    /// Per class, the speech-likeness feature rows of the resynthesised training clips (nil: no reference).
    let reference: [[Float]?]
    /// Feature scaling: the pooled reference rows' mean and deviation.
    let standardization: Standardization
    /// Training clips rendered for the reference.
    public let referenceClips: Int

    /// Renders up to `perClass` training images of each class in `data` with at least 8 examples
    /// (chosen by `seed`) and measures them.
    /// - Throws: `EvaluationPipelineError.acousticData` when no class has 8 examples; inversion errors.
    public init(data: ClassificationData, perClass: Int = 64, seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var chosen = [(label: Int, index: Int)]()
        for label in data.classNames.indices {
            var indices = data.labels.indices.filter { data.labels[$0] == label }
            guard indices.count >= 8 else { continue }
            indices.shuffle(using: &random)
            chosen += indices.prefix(perClass).map { (label, $0) }
        }
        guard !chosen.isEmpty else {
            throw EvaluationPipelineError.acousticData(
                reason: "no class of the GAN's training set has 8 clips to render as the selection's reference")
        }
        let size = data.exampleSize
        let (bands, frames) = (data.height, data.width)
        let inputs = data.inputs
        let picked = chosen
        let extractor = MelSpectrogramExtractor(try SpectrogramAudio.frontend())
        let measured = try ParallelMap.map(picked.count) { job in
            let start = picked[job].index * size
            return try Self.render(
                Array(inputs[start..<(start + size)]), bands: bands, frames: frames, seed: seed &+ UInt64(job),
                extractor: extractor)
        }
        var rows = [[Float]?](repeating: nil, count: data.classNames.count)
        for (job, entry) in picked.enumerated() {
            let features = measured[job].acoustics.speechLikenessFeatures
            guard features.allSatisfy(\.isFinite) else { continue }
            rows[entry.label] = (rows[entry.label] ?? []) + features
        }
        reference = rows
        standardization = try Standardization(
            rows: rows.compactMap { $0 }.flatMap { $0 }, width: ClipAcoustics.speechLikenessFeatureNames.count)
        referenceClips = picked.count
    }

    /// One image rendered as `studio render` renders it, measured with `extractor` (built once per batch).
    static func render(
        _ image: [Float], bands: Int, frames: Int, seed: UInt64, extractor: MelSpectrogramExtractor
    ) throws -> AcousticEvaluation.MeasuredClip {
        try AcousticEvaluation.measure(
            try SpectrogramAudio.audio(image: image, bands: bands, frames: frames, seed: seed).signal.samples,
            with: extractor)
    }

    /// Renders and measures every sample: per class the distance to its reference (classes
    /// without one, or with fewer than 2 measurable clips: nil) and `statisticNames`. A clip that
    /// cannot be rendered or measures NaN (a generator can draw such a thing) is left out and
    /// counted as `unmeasuredClips`: a diagnostic must never stop a training run.
    public func measure(_ samples: [Tensor?], seed: UInt64) throws -> FidelityMeasurement {
        let jobs = samples.enumerated().flatMap { label, images in
            images.map { images in (0..<images.shape[0]).map { (label, images, $0) } } ?? []
        }
        let shared = jobs
        let extractor = MelSpectrogramExtractor(try SpectrogramAudio.frontend())
        let measured = try ParallelMap.map(jobs.count) { job -> AcousticEvaluation.MeasuredClip? in
            let (_, images, row) = shared[job]
            let size = images.count / images.shape[0]
            let clip = try? Self.render(
                Array(images.scalars[(row * size)..<((row + 1) * size)]), bands: images.shape[2],
                frames: images.shape[3], seed: seed &+ UInt64(job), extractor: extractor)
            return clip.flatMap { $0.acoustics.speechLikenessFeatures.allSatisfy(\.isFinite) ? $0 : nil }
        }
        var distances = [Double?]()
        var statistics = [[String: Double]?]()
        let width = ClipAcoustics.speechLikenessFeatureNames.count
        for (label, images) in samples.enumerated() {
            let all = zip(jobs, measured).filter { $0.0.0 == label }.map(\.1)
            let clips = all.compactMap { $0 }
            guard images != nil else {
                distances.append(nil)
                statistics.append(nil)
                continue
            }
            guard !clips.isEmpty else {
                distances.append(nil)
                statistics.append(["unmeasuredClips": Double(all.count)])
                continue
            }
            var distance: Double?
            if label < reference.count, let real = reference[label], clips.count >= 2 {
                distance = try? SpeechLikeness.distance(
                    clips.flatMap(\.acoustics.speechLikenessFeatures), real, width: width, reference: standardization)
            }
            distances.append(distance)
            let acoustics = clips.map(\.acoustics)
            let melWidth = clips.map(\.logMel.count).min() ?? 0
            let entry: [String: Double?] = [
                "pitchedShare": Double(acoustics.filter { $0.medianF0 != nil }.count) / Double(clips.count),
                "f0Movement": DistributionSummary(acoustics.compactMap(\.f0Movement).map(Double.init)).median,
                "envelopeModulation": DistributionSummary(acoustics.map { Double($0.envelopeModulation) }).median,
                "diversity": SpeechLikeness.medianPairwiseDistance(
                    clips.flatMap { $0.logMel.prefix(melWidth) }, width: melWidth),
                "unmeasuredClips": all.count == clips.count ? nil : Double(all.count - clips.count),
            ]
            statistics.append(entry.compactMapValues { $0 })
        }
        return FidelityMeasurement(distances: distances, statistics: statistics)
    }
}
