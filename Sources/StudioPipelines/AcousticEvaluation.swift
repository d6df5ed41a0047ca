import Foundation
import StudioAudio
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioEvaluation
import StudioSupport
import StudioTensor

/// The judge-free acoustic measures of one set of clips of one class: generated clips, the real
/// held-out clips, or the same held-out clips resynthesised through the generator's path.
public struct AcousticSet: Sendable, Codable {
    /// Clips measured.
    public let clips: Int
    /// Share of the clips with a pitch (at least 5 voiced 10 ms frames).
    public let pitchedShare: Double
    /// Per-clip median F0 in Hz (clips with a pitch) and per-clip voiced share.
    public let medianF0: DistributionSummary, voicedShare: DistributionSummary
    /// Clips per bin of `AcousticReport.f0BinEdges` (clips with a pitch).
    public let f0Histogram: [Int]
    /// The pitch-only classifier's recognition of the clips as this class (for the real held-out
    /// clips: its own held-out accuracy on the class).
    public let pitchRecognition: WilsonInterval
    /// Per-clip speech-likeness statistics (see `ClipAcoustics`).
    public let f0Movement: DistributionSummary, spectralFlatness: DistributionSummary,
        harmonicToNoise: DistributionSummary, envelopeModulation: DistributionSummary,
        silenceShare: DistributionSummary
    /// Diversity between clips: the median over pairs of clips of the RMS difference of their
    /// log-mel spectrograms in dB (floor -100 dB).
    public let diversity: Double?
    /// The Frechet distance of the standardised speech-likeness features to the real held-out
    /// clips of the class (for the real clips themselves: between two halves of them).
    public let speechLikenessDistance: Double?
    /// Clips left out of every measure because a feature came out NaN or infinite (nil: none).
    public var unmeasuredClips: Int? = nil
}

/// One class of a run, acoustically.
public struct AcousticClassReport: Sendable, Codable {
    /// The class and whether the GAN was denied it.
    public let name: String, unseen: Bool
    /// Generated clips (the judge's samples, rendered as `studio render` renders them).
    public let generated: AcousticSet
    /// The real held-out clips (test speakers), as recorded.
    public let realHeldOut: AcousticSet
    /// The control: the held-out clips' log-mel images through NNLS and Griffin-Lim, the path every
    /// generated clip takes, so what the inversion alone costs can be told from what the GAN costs.
    public let resynthesised: AcousticSet
}

/// `studio evaluate`'s acoustic part for one run.
public struct AcousticReport: Sendable, Codable {
    /// Per class rendered.
    public let classes: [AcousticClassReport]
    /// Real training clips (every class) the pitch classifier was fitted on.
    public let pitchClassifierTrainingClips: Int
    /// The pitch classifier's accuracy on all real held-out clips, and on men against women alone
    /// when the corpus has both.
    public let pitchHeldOutAccuracy: Double, pitchMenWomenHeldOutAccuracy: Double?
    /// Edges of the F0 histogram bins in Hz (log-spaced over the pitch search range).
    public let f0BinEdges: [Double]
    /// The speech-likeness features, in the order the distance uses them.
    public let speechLikenessFeatures: [String]
    /// The F0 histogram picture, when one was written.
    public var f0Picture: String?
}

/// The acoustic verdict: pitch, a pitch-only classifier and speech-likeness statistics of the
/// rendered audio, beside the real and the resynthesised held-out clips. No model trained on the
/// GAN's data, no judge, and nothing of it reaches training or selection.
public enum AcousticEvaluation {
    /// Log-spaced F0 bin edges over YIN's search range (24 bins).
    public static let f0BinEdges: [Double] = (0...24).map {
        Double(PitchEstimator.lowestF0)
            * pow(Double(PitchEstimator.highestF0 / PitchEstimator.lowestF0), Double($0) / 24)
    }

    /// One clip's measures and its log-mel spectrogram in dB (for diversity).
    struct MeasuredClip: Sendable {
        let acoustics: ClipAcoustics
        let logMel: [Float]
    }

    /// What every run on one corpus is compared with.
    struct Reference: Sendable {
        let classNames: [String]
        let pitch: PitchClassifier
        let trainingClips: Int
        let real: [[MeasuredClip]], resynthesised: [[MeasuredClip]]
        let standardization: Standardization
    }

    /// Measures a corpus's real clips: the pitch classifier from the training split, the held-out
    /// clips as recorded and resynthesised from `test` (their log-mel images, in corpus order).
    /// - Throws: `EvaluationPipelineError.acousticData` when the corpus and `test` disagree.
    static func reference(
        corpusFolder: String, test: ClassificationData, progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> Reference {
        let corpus = try Corpus.load(folder: corpusFolder)
        let names = corpus.classNames
        let testItems = corpus.items(in: .test)
        guard names == test.classNames, testItems.count == test.count else {
            throw EvaluationPipelineError.acousticData(
                reason: "the corpus \(corpusFolder) has \(testItems.count) held-out clips of \(names), the run's "
                    + "data \(test.count) of \(test.classNames); was the corpus changed after the features were cached?"
            )
        }
        let cache = AudioFeatureCache(
            frontend: try MelFrontendConfiguration(), scaling: try LogMelScaling(), folder: nil)
        let trainItems = corpus.items(in: .train)
        let total = trainItems.count + 2 * testItems.count
        let trainingProgress: @Sendable (Int, Int) -> Void = { done, _ in progress(done, total) }
        let heldOutProgress: @Sendable (Int, Int) -> Void = { done, _ in progress(trainItems.count + done, total) }
        let observations = try ParallelMap.map(trainItems.count, progress: trainingProgress) {
            let summary = PitchEstimator.summary(try cache.clip(for: trainItems[$0].path))
            return PitchObservation(medianF0: summary.medianF0, voicedShare: summary.voicedFraction)
        }
        let pitch = try PitchClassifier(
            observations: observations, labels: trainItems.map { names.firstIndex(of: $0.className)! },
            classNames: names)
        let size = test.exampleSize
        let measured = try ParallelMap.map(2 * testItems.count, progress: heldOutProgress) { index -> MeasuredClip in
            let item = index / 2
            if index % 2 == 0 { return try measure(try cache.clip(for: testItems[item].path), with: cache.extractor) }
            let image = Array(test.inputs[(item * size)..<((item + 1) * size)])
            return try measure(
                try SpectrogramAudio.audio(
                    image: image, bands: test.height, frames: test.width, seed: 0x5E5 &+ UInt64(item)
                ).signal.samples, with: cache.extractor)
        }
        var real = [[MeasuredClip]](repeating: [], count: names.count)
        var resynthesised = real
        for (item, label) in test.labels.enumerated() {
            real[label].append(measured[2 * item])
            resynthesised[label].append(measured[2 * item + 1])
        }
        let pooled = real.flatMap { $0 }.flatMap(\.acoustics.speechLikenessFeatures)
        return Reference(
            classNames: names, pitch: pitch, trainingClips: trainItems.count, real: real,
            resynthesised: resynthesised,
            standardization: try Standardization(
                rows: pooled, width: ClipAcoustics.speechLikenessFeatureNames.count))
    }

    /// Measures one clip at the rate of `extractor`, the default frontend built once per batch of clips.
    static func measure(_ samples: [Float], with extractor: MelSpectrogramExtractor) throws -> MeasuredClip {
        let power = try extractor.power(samples)
        return MeasuredClip(
            acoustics: try ClipAcoustics.measure(samples, sampleRate: extractor.configuration.mel.sampleRate),
            logMel: power.values.map { max(10 * log10(max($0, 1e-10)), -100) })
    }

    /// The acoustic report of a run's generated images (label, `[N, 1, bands, frames]` images),
    /// rendered to audio as `studio render` does.
    static func report(
        generated drawn: [(label: Int, images: Tensor)], unseen: [Int], reference: Reference,
        seed: UInt64, progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> AcousticReport {
        let jobs = drawn.flatMap { entry in (0..<entry.images.shape[0]).map { (entry.label, entry.images, $0) } }
        nonisolated(unsafe) let shared = jobs
        let extractor = MelSpectrogramExtractor(try MelFrontendConfiguration())
        let measured = try ParallelMap.map(jobs.count, progress: progress) { index -> MeasuredClip in
            let (_, images, row) = shared[index]
            let size = images.count / images.shape[0]
            let image = Array(images.scalars[(row * size)..<((row + 1) * size)])
            return try measure(
                try SpectrogramAudio.audio(
                    image: image, bands: images.shape[2], frames: images.shape[3], seed: seed &+ UInt64(index)
                ).signal.samples, with: extractor)
        }
        var classes = [AcousticClassReport]()
        var offset = 0
        for (label, images) in drawn {
            let clips = Array(measured[offset..<(offset + images.shape[0])])
            offset += images.shape[0]
            let real = reference.real[label]
            classes.append(
                AcousticClassReport(
                    name: reference.classNames[label], unseen: unseen.contains(label),
                    generated: try summarize(clips, label: label, reference: reference, against: real),
                    realHeldOut: try summarize(real, label: label, reference: reference, against: nil),
                    resynthesised: try summarize(
                        reference.resynthesised[label], label: label, reference: reference, against: real)))
        }
        let all = reference.real.enumerated().flatMap { label, clips in clips.map { (label, $0) } }
        let correct = all.filter { reference.pitch.predict(observation($0.1)) == $0.0 }.count
        var menWomen: Double?
        if let men = reference.classNames.firstIndex(of: "men"),
            let women = reference.classNames.firstIndex(of: "women")
        {
            let clips = all.filter { $0.0 == men || $0.0 == women }
            if !clips.isEmpty {
                menWomen =
                    Double(
                        clips.filter { reference.pitch.predict(observation($0.1), among: [men, women]) == $0.0 }.count)
                    / Double(clips.count)
            }
        }
        return AcousticReport(
            classes: classes, pitchClassifierTrainingClips: reference.trainingClips,
            pitchHeldOutAccuracy: all.isEmpty ? 0 : Double(correct) / Double(all.count),
            pitchMenWomenHeldOutAccuracy: menWomen, f0BinEdges: f0BinEdges,
            speechLikenessFeatures: ClipAcoustics.speechLikenessFeatureNames, f0Picture: nil)
    }

    static func observation(_ clip: MeasuredClip) -> PitchObservation {
        PitchObservation(medianF0: clip.acoustics.medianF0, voicedShare: clip.acoustics.voicedShare)
    }

    /// One set's statistics; the speech-likeness distance is to `real`, or between two halves of
    /// the set when `real` is nil.
    static func summarize(_ given: [MeasuredClip], label: Int, reference: Reference, against real: [MeasuredClip]?)
        throws -> AcousticSet
    {
        // A generated clip can measure NaN; it is counted, not allowed to void the whole set.
        let clips = given.filter { $0.acoustics.speechLikenessFeatures.allSatisfy(\.isFinite) }
        let acoustics = clips.map(\.acoustics)
        func summary(_ values: [Float?]) -> DistributionSummary {
            DistributionSummary(values.compactMap { $0.map(Double.init) })
        }
        let pitches = acoustics.compactMap(\.medianF0).map(Double.init)
        var histogram = [Int](repeating: 0, count: f0BinEdges.count - 1)
        for f0 in pitches {
            if let bin = (0..<histogram.count).first(where: { f0 >= f0BinEdges[$0] && f0 < f0BinEdges[$0 + 1] }) {
                histogram[bin] += 1
            }
        }
        let recognised = clips.filter { reference.pitch.predict(observation($0)) == label }.count
        let width = ClipAcoustics.speechLikenessFeatureNames.count
        let features = acoustics.flatMap(\.speechLikenessFeatures)
        var distance: Double?
        if let real {
            let realFeatures = real.map(\.acoustics.speechLikenessFeatures).filter { $0.allSatisfy(\.isFinite) }
            if clips.count >= 2 && realFeatures.count >= 2 {
                distance = try SpeechLikeness.distance(
                    features, realFeatures.flatMap { $0 }, width: width, reference: reference.standardization)
            }
        } else if clips.count >= 8 {
            let even = clips.indices.filter { $0 % 2 == 0 }.flatMap { clips[$0].acoustics.speechLikenessFeatures }
            let odd = clips.indices.filter { $0 % 2 == 1 }.flatMap { clips[$0].acoustics.speechLikenessFeatures }
            distance = try SpeechLikeness.distance(even, odd, width: width, reference: reference.standardization)
        }
        let melWidth = clips.map(\.logMel.count).min() ?? 0
        return AcousticSet(
            clips: clips.count, pitchedShare: clips.isEmpty ? 0 : Double(pitches.count) / Double(clips.count),
            medianF0: DistributionSummary(pitches), voicedShare: summary(acoustics.map(\.voicedShare)),
            f0Histogram: histogram, pitchRecognition: WilsonInterval(successes: recognised, trials: clips.count),
            f0Movement: summary(acoustics.map(\.f0Movement)),
            spectralFlatness: summary(acoustics.map(\.spectralFlatness)),
            harmonicToNoise: summary(acoustics.map(\.harmonicToNoise)),
            envelopeModulation: summary(acoustics.map(\.envelopeModulation)),
            silenceShare: summary(acoustics.map(\.silenceShare)),
            diversity: SpeechLikeness.medianPairwiseDistance(
                clips.flatMap { $0.logMel.prefix(melWidth) }, width: melWidth),
            speechLikenessDistance: distance,
            unmeasuredClips: given.count == clips.count ? nil : given.count - clips.count)
    }
}
