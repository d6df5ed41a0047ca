import Foundation
import ProbeGAN
import StudioClassifiers

/// One typed configuration of a training run, built once by the command line (or read back from a
/// run folder's `configuration.json`) and handed down whole.
public struct TrainingRequest: Sendable, Codable, Equatable {
    /// The data.
    public var source: ClassifierDataSource
    /// Where the default classifiers, the judge and cached features live.
    public var cacheFolder: String
    /// Method, preset and unseen class names.
    public var method: ProbeGANMethod = .probegan
    /// The preset.
    public var preset: ProbeGANPreset = .quick
    /// Names of the classes whose real data the GAN never sees.
    public var unseen: [String]
    /// The classifier to probe.
    public var classifier: ClassifierChoice = .robust
    /// The run folder.
    public var runFolder: String
    /// The judge's checkpoint (nil: the data's default judge, trained on demand). Experiments on a
    /// variant corpus pass the clean corpus's judge, so that every arm is judged alike.
    public var judgePath: String?
    /// Image mode: changes applied to the data when loaded (an experiment's planted feature).
    public var imageVariant: ImageDataVariant?
    /// Seed of every random choice.
    public var seed: UInt64 = 0
    /// Overrides of the preset (nil: the preset's value).
    public var iterations: Int?, classifierWeight: Float?, unseenShare: Double?, evaluateEvery: Int?,
        batchSize: Int?, patience: Int?, channelBase: Int?, evaluationSamples: Int?
    /// The classifier loss weight on seen-class fakes (nil: lambda_g for every class).
    public var seenClassifierWeight: Float?
    /// Adam step sizes of the generator and of both discriminators (nil: the configuration's 2e-4).
    public var generatorLearningRate: Float?, discriminatorLearningRate: Float?
    /// D steps per G step (nil: the preset's).
    public var discriminatorSteps: Int?
    /// Differentiable augmentation of the discriminator's inputs (nil: none).
    public var augmentation: DiscriminatorAugmentation?
    /// What breaks near-ties of the selection score (nil: the configuration's default, the probed
    /// classifier's features).
    public var selection: SelectionFidelity?
    /// Generated samples per class in the final summary.
    public var summarySamples = 256

    /// A request with defaults for everything but the data, the unseen classes and the run folder.
    public init(source: ClassifierDataSource, cacheFolder: String, unseen: [String], runFolder: String) {
        self.source = source
        self.cacheFolder = cacheFolder
        self.unseen = unseen
        self.runFolder = runFolder
    }

    /// True for audio data.
    public var isAudio: Bool {
        if case .audio = source { return true }
        return false
    }

    /// The name of the data set in cache file names.
    public var dataName: String { source.dataName }
}

extension ClassifierDataSource {
    /// The name of the data set in cache file names.
    public var dataName: String {
        switch self {
        case .audio(let corpus):
            let name = URL(fileURLWithPath: corpus).lastPathComponent
            return name == "corpus-default" ? "audio" : "audio-\(name)"
        case .fashionMNIST: return "image-fashion-mnist"
        case .cifar10: return "image-cifar10"
        case .pngFolders(let folder): return "image-\(URL(fileURLWithPath: folder).lastPathComponent)"
        }
    }
}

/// What one run wrote and measured (`summary.json`).
public struct RunSummary: Sendable, Codable {
    /// Method, preset, classifier label, unseen class names.
    public var method: String, preset: String, classifier: String, unseen: [String]
    /// Iterations trained and the iteration of the selected (best) EMA generator.
    public var iterations: Int, selectedIteration: Int
    /// Why training stopped.
    public var stopReason: String
    /// Wall time of training, seconds (every stretch of a resumed run).
    public var trainingSeconds: Double
    /// Per class, by name: the judge's and the probed classifier's recognition rate of generated
    /// samples, and the Frechet distance to held-out real clips in the judge's feature space.
    public var classes: [String: ClassResult]
    /// Generated samples per class behind these numbers, and held-out real ones.
    public var samplesPerClass: Int
    /// How to read the numbers.
    public var notes: [String]

    /// One class's numbers.
    public struct ClassResult: Sendable, Codable {
        /// Share of generated samples the judge assigns to the class.
        public var judgeRecognition: Float
        /// Share the probed classifier assigns to the class.
        public var classifierRecognition: Float
        /// Frechet distance to held-out real samples of the class (judge features); nil without held-out data.
        public var frechetDistance: Double?
        /// Frechet distance between two random halves of the held-out real samples (a floor for reference).
        public var heldOutHalvesDistance: Double?
        /// Held-out real samples of the class used for the distance.
        public var heldOutCount: Int
        /// True when the class was unseen (no real data in the GAN's training set).
        public var unseen: Bool
    }
}

extension TrainingRequest {
    /// The request that continues the run in `folder`, and the run's configuration (read once):
    /// the recorded request when the run holds one; for runs written before requests were
    /// recorded, rebuilt from the recorded method, preset, unseen classes, classifier, data and judge.
    /// `cacheFolder` is this machine's cache (a machine matter, not a setting of the run).
    public static func resuming(_ folder: String, cacheFolder: String) throws -> (
        request: TrainingRequest, recorded: ResolvedRunConfiguration
    ) {
        let run = RunFolder(folder)
        guard FileManager.default.fileExists(atPath: run.configuration) else {
            throw RunError.notARun(path: run.configuration)
        }
        let recorded = try run.readResolvedConfiguration()
        if var request = recorded.request {
            request.runFolder = folder
            request.cacheFolder = cacheFolder
            // The judge the run started with, even if the default judge was retrained since.
            request.judgePath = recorded.judgePath
            return (request, recorded)
        }
        guard let source = recorded.dataSource else {
            throw RunError.resumeMismatch(
                reason: "\(run.configuration) does not record its data source; start a new run")
        }
        let probegan = recorded.probegan
        var request = TrainingRequest(
            source: source, cacheFolder: cacheFolder, unseen: probegan.unseen.map { probegan.classNames[$0] },
            runFolder: folder)
        request.method = probegan.method
        request.preset = probegan.preset
        request.seed = probegan.seed
        request.judgePath = recorded.judgePath
        request.classifier = .path(recorded.classifierPath)
        // A run that probes a default classifier keeps its name (regular or robust) while that
        // default is still the recorded checkpoint.
        for role in [DefaultClassifiers.Role.regular, .robust]
        where DefaultClassifiers.path(role, dataName: source.dataName, cacheFolder: cacheFolder)
            == recorded.classifierPath
        {
            request.classifier = role == .regular ? .regular : .robust
        }
        return (request, recorded)
    }

    /// The request recorded in a run's `configuration.json` at `path`, to start that run again
    /// elsewhere (`studio train --config`).
    public static func recorded(inConfiguration path: String) throws -> TrainingRequest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError.badConfiguration(path: path, reason: "no such file (a run folder's configuration.json)")
        }
        guard let recorded = try? JSONDecoder().decode(ResolvedRunConfiguration.self, from: data) else {
            throw RunError.badConfiguration(path: path, reason: "it is not a run folder's configuration.json")
        }
        guard let request = recorded.request else {
            throw RunError.badConfiguration(
                path: path,
                reason: "it holds no \"request\" (the whole set of training settings); start the run "
                    + "with flags instead (its settings are listed under \"probegan\")")
        }
        return request
    }
}
