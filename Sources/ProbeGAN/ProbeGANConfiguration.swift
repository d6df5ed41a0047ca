import Foundation

/// Model sizes and schedule presets, sized by measurement on a 2-core machine (see README).
public enum ProbeGANPreset: String, Sendable, Codable, CaseIterable {
    /// The default: channel base 16, batch 32, 2 D steps per G step; minutes on 2 cores.
    case quick
    /// Channel base 32, batch 32, 2 D steps; about four times the cost of `quick` per iteration.
    case standard
    /// The public reference's widths (channel base 64), batch 64, 4 D steps per G step.
    case paper

    /// The channel base `ch` of the BigGAN width multipliers.
    public var channelBase: Int {
        switch self {
        case .quick: return 16
        case .standard: return 32
        case .paper: return 64
        }
    }
}

/// Everything that determines a ProbeGAN run. Written to the run folder; `--resume` checks it.
public struct ProbeGANConfiguration: Sendable, Codable, Equatable {
    /// The method.
    public var method: ProbeGANMethod
    /// The preset the sizes came from.
    public var preset: ProbeGANPreset
    /// Class names in label order (the classifier's order).
    public var classNames: [String]
    /// Labels of the unseen classes (no real data in the GAN's training set, except for ORACLE).
    public var unseen: [Int]
    /// Input layout `[C, H, W]`.
    public var inputShape: [Int]
    /// True when samples are [-1, 1] log-mel spectrograms (row = mel band) rather than pictures.
    public var isSpectrogram = false
    /// Generator block widths (`4 * 2^(count - 1)` output side).
    public var generatorWidths: [Int]
    /// Discriminator block widths and which blocks halve the plane.
    public var discriminatorWidths: [Int], discriminatorDownsamples: [Bool]
    /// Latent and class-embedding sizes.
    public var latentFeatures = 120, embeddingFeatures = 128
    /// Examples per D step and per G step.
    public var batchSize: Int
    /// D steps per G step (each with its own real batch).
    public var discriminatorSteps: Int
    /// G iterations to run at most.
    public var iterations: Int
    /// Adam step sizes (betas 0 and 0.999).
    public var generatorLearningRate: Float = 2e-4, discriminatorLearningRate: Float = 2e-4
    /// lambda_g, the classifier loss weight.
    public var classifierWeight: Float = 1
    /// The classifier loss weight on fakes of seen classes, which D_c already ties to their real
    /// data (nil: `classifierWeight` for every class, as in the paper's equation (1)). Optional so
    /// that configurations written before it existed read unchanged.
    public var seenClassifierWeight: Float?
    /// Differentiable augmentation of the discriminator's inputs (nil: none, as in the paper).
    public var augmentation: DiscriminatorAugmentation?
    /// The gradient penalty weight of D_u's WGAN-GP loss.
    public var penaltyWeight: Float = 10
    /// Share of fakes drawn from the unseen classes (class dilution). `nil`: labels uniform over
    /// every class, as the reference code does (1/K unseen).
    public var unseenShare: Double?
    /// EMA generator: decay, and the iteration before which it copies the generator.
    public var emaDecay: Float = 0.999, emaStart = 100
    /// Iterations between leak-free evaluations (model selection and the stopping rule).
    public var evaluateEvery: Int
    /// Generated samples per class at each evaluation.
    public var evaluationSamples = 64
    /// Evaluations without improvement of the selection score before training stops (0: never stop early).
    public var patience = 5
    /// What breaks near-ties of the selection score: nil (the default) or `.classifierFeatures` for
    /// the probed classifier's feature distance, `.speechLikeness` for the audio layer's model-free
    /// measure. Optional so that configurations written before it existed read unchanged.
    public var selectionFidelity: SelectionFidelity?
    /// Iterations between checkpoints.
    public var checkpointEvery: Int
    /// GAN-AM's embedding search: Adam steps, step size and weight decay (BigGAN-AM: 200, 0.1, 0.9).
    public var searchSteps = 200, searchLearningRate: Float = 0.1, searchWeightDecay: Float = 0.9
    /// Seed of every random choice.
    public var seed: UInt64 = 0

    /// Classes the finished generator renders: NAIVE learned only the target label; GAN-AM's unseen
    /// rows come from the embedding search; the others render every class.
    public var finalClasses: [Int] { method == .naive ? unseen : Array(classNames.indices) }

    /// Labels with real data in the GAN's training set.
    public var seen: [Int] {
        method == .oracle ? Array(classNames.indices) : classNames.indices.filter { !unseen.contains($0) }
    }

    /// A configuration from a preset for data of shape `[C, H, W]` (H = W = 32 or 64); `channelBase`
    /// overrides the preset's `ch`.
    public init(
        method: ProbeGANMethod, preset: ProbeGANPreset, classNames: [String], unseen: [Int], inputShape: [Int],
        channelBase: Int? = nil
    ) {
        self.method = method
        self.preset = preset
        self.classNames = classNames
        self.unseen = unseen
        self.inputShape = inputShape
        let ch = channelBase ?? preset.channelBase
        if inputShape.count == 3 && inputShape[1] >= 64 {
            // 64x64 log-mel: 4 up-blocks 4->64 and 4 down-blocks 64->4 (the engine benchmark's layout).
            generatorWidths = [4 * ch, 4 * ch, 2 * ch, ch, ch]
            discriminatorWidths = [ch, 2 * ch, 4 * ch, 4 * ch]
            discriminatorDownsamples = [true, true, true, true]
        } else {
            // 32x32 images: BigGAN's CIFAR layout, 4ch throughout, D downsamples twice.
            generatorWidths = [4 * ch, 4 * ch, 4 * ch, 4 * ch]
            discriminatorWidths = [4 * ch, 4 * ch, 4 * ch, 4 * ch]
            discriminatorDownsamples = [true, true, false, false]
        }
        switch preset {
        case .quick:
            // 750 iterations: the feasibility run's best window with a robust classifier and
            // lambda_g 2 was 400-900 iterations of this size; about 2.2 s each on 2 cores here.
            batchSize = 32
            discriminatorSteps = 2
            iterations = 750
            evaluateEvery = 75
            checkpointEvery = 75
            classifierWeight = 2
            // The EMA must follow a short run: a time constant of 100 iterations.
            emaDecay = 0.99
            emaStart = 50
        case .standard:
            batchSize = 32
            discriminatorSteps = 2
            iterations = 3000
            evaluateEvery = 250
            checkpointEvery = 250
            classifierWeight = 2
            emaDecay = 0.995
            emaStart = 200
        case .paper:
            batchSize = 64
            discriminatorSteps = 4
            iterations = 100_000
            evaluateEvery = 2500
            checkpointEvery = 1000
            classifierWeight = 1
            emaDecay = 0.9999
            emaStart = 1000
        }
    }
}
