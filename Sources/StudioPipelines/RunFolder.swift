import Foundation
import ProbeGAN
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioModels
import StudioNN
import StudioSupport
import StudioTensor

/// The files of a run folder.
public struct RunFolder: Sendable {
    /// The folder.
    public let path: String

    /// A run folder at `path` (not created yet).
    public init(_ path: String) { self.path = path }

    /// The path of `name` inside the folder.
    public func file(_ name: String) -> String { URL(fileURLWithPath: path).appendingPathComponent(name).path }

    /// The resumable training state.
    public var lastCheckpoint: String { file("checkpoints/last.safetensors") }
    /// The selected EMA generator, ready for sampling.
    public var bestGenerator: String { file("checkpoints/best-generator.safetensors") }
    /// Losses and evaluations, one JSON object per line.
    public var metrics: String { file("metrics.jsonl") }
    /// The resolved configuration.
    public var configuration: String { file("configuration.json") }
    /// The GAN's real training set, one clip per line, and its fingerprint.
    public var manifest: String { file("manifest.csv") }
    /// The target-absence proof.
    public var manifestSummary: String { file("manifest.json") }
    /// The run's numbers.
    public var summary: String { file("summary.json") }
    /// Sample grids and clips written during training.
    public var samples: String { file("samples") }

    func create() throws {
        for sub in ["checkpoints", "samples"] {
            try FileManager.default.createDirectory(atPath: file(sub), withIntermediateDirectories: true)
        }
    }

    func writeConfiguration(
        _ probegan: ProbeGANConfiguration, request: TrainingRequest, classifierPath: String,
        classifierHash: String, judgePath: String, representation: String?
    ) throws {
        var resolved = ResolvedRunConfiguration(
            probegan: probegan,
            data: "\(request.source)" + (request.imageVariant.map { " with variant \($0.name): \($0.purpose)" } ?? ""),
            dataSource: request.source,
            classifier: request.classifier.label,
            classifierPath: classifierPath, classifierDataHash: classifierHash,
            classifierFingerprint: Fingerprint.ofFile(classifierPath), judgePath: judgePath,
            judgeUse: "evaluation and reporting only; never training, selection or stopping",
            selection:
                "EMA generator with the best mean PGD-robust recognition of generated samples by the probed "
                + "classifier; scores within 0.02 are broken by the seen classes' Frechet distance to their real "
                + "training clips in the probed classifier's features (no real data of an unseen class, no judge)",
            representation: representation)
        resolved.request = request
        try write(resolved)
    }

    /// Writes `configuration.json` atomically.
    func write(_ resolved: ResolvedRunConfiguration) throws {
        try AtomicFile.write(try Self.json(resolved), to: configuration)
    }

    /// The resolved configuration written when the run started.
    public func readResolvedConfiguration() throws -> ResolvedRunConfiguration {
        guard let data = FileManager.default.contents(atPath: configuration),
            let resolved = try? JSONDecoder().decode(ResolvedRunConfiguration.self, from: data)
        else {
            throw RunError.notARun(path: configuration)
        }
        return resolved
    }

    /// The manifest: every real clip the GAN trains on (`manifest.csv`), and the target-absence
    /// proof computed from the examples the trainer holds (`manifest.json`).
    func writeManifest(request: TrainingRequest, realData: GANRealData, proof: AbsenceProof) throws {
        let data = realData.data
        var lines = ["index,class,group"]
        for index in 0..<data.count {
            lines.append("\(index),\(data.classNames[data.labels[index]]),\(data.groups[index])")
        }
        if case .audio(let folder) = request.source {
            // Audio: the clip files themselves, in the order the trainer holds them.
            let items = try Corpus.load(folder: folder).items(in: .train)
            lines =
                ["path,class,speaker"]
                + realData.indices.map { "\(items[$0].path),\(items[$0].className),\(items[$0].speaker)" }
        }
        let text = lines.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(text.utf8), to: manifest)
        var counts = [String: Int]()
        for label in data.labels { counts[data.classNames[label], default: 0] += 1 }
        let record = AbsenceRecord(
            manifestHash: Fingerprint.fnv1a64(text), clipsPerClass: counts, heldOutTestSplitUsed: false,
            statement: proof.holds
                ? "No real clip the GAN trains on is of \(proof.unseenClasses.joined(separator: ", ")), identical to "
                    + "one of its \(proof.unseenExamplesCompared) clips, or by one of its \(proof.unseenGroups) speakers."
                : "ORACLE: the unseen classes' real clips are included on purpose (an upper bound).",
            proof: proof)
        try AtomicFile.write(try Self.json(record), to: manifestSummary)
    }

    /// The target-absence proof recorded when the run started (nil for runs written before it was).
    func readAbsenceProof() throws -> AbsenceProof? {
        guard let data = FileManager.default.contents(atPath: manifestSummary) else { return nil }
        return (try? JSONDecoder().decode(AbsenceRecord.self, from: data))?.proof
    }

    func openMetrics() throws -> MetricsLog { try MetricsLog(path: metrics) }

    /// Drops metric lines past `iteration` (a resumed run rewrites them).
    func truncateMetrics(after iteration: Int) throws {
        let kept = MetricsLog.read(metrics).filter { $0.record.iteration <= iteration }.map(\.text)
        try AtomicFile.write(Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8), to: metrics)
    }

    /// Writes the sampling generator (standing statistics already in it) with the configuration;
    /// `selectedIteration` defaults to the trainer's current iteration.
    func writeBestGenerator(
        _ generator: Generator, trainer: ProbeGANTrainer, selectedIteration: Int? = nil, note: String = ""
    ) throws {
        var metadata = try trainer.metadata(elapsedSeconds: 0)
        metadata["selectedIteration"] = "\(selectedIteration ?? trainer.iteration)"
        metadata["note"] = note
        try Checkpoint(module: generator, metadata: metadata).write(to: bestGenerator)
    }

    /// The selected generator, in evaluation mode.
    public func loadBestGenerator(_ configuration: ProbeGANConfiguration) throws -> Generator {
        guard FileManager.default.fileExists(atPath: bestGenerator) else {
            throw RunError.notARun(path: bestGenerator)
        }
        let generator = ProbeGANModels.generator(configuration, seed: 0)
        try Checkpoint.read(from: bestGenerator).load(into: generator, path: bestGenerator)
        generator.setTraining(false)
        return generator
    }

    /// The EMA generator of the last checkpoint, prepared for sampling as the selected one is
    /// (batch-norm standing statistics over the run's label mix, then evaluation mode), and the
    /// iteration it holds. Not the leak-free selection rule's choice: for diagnostics only.
    /// - Throws: `RunError.notARun` when the run has no readable last checkpoint.
    public func loadLastGenerator() throws -> (generator: Generator, iteration: Int) {
        guard FileManager.default.fileExists(atPath: lastCheckpoint) else {
            throw RunError.notARun(path: lastCheckpoint)
        }
        let checkpoint = try Checkpoint.read(from: lastCheckpoint)
        let configuration = try ProbeGANTrainer.configuration(in: checkpoint, path: lastCheckpoint)
        guard let iteration = ProbeGANTrainer.iteration(in: checkpoint) else {
            throw RunError.notARun(path: lastCheckpoint)
        }
        var tensors = [String: Tensor]()
        for (name, tensor) in checkpoint.tensors where name.hasPrefix("ema.") {
            tensors[String(name.dropFirst("ema.".count))] = tensor
        }
        let ema = ProbeGANModels.generator(configuration, seed: 0)
        try Checkpoint(tensors: tensors).load(into: ema, path: lastCheckpoint)
        return (GeneratorSampling.prepared(ema, configuration: configuration), iteration)
    }

    /// The discriminator of the last checkpoint (E-GBAS's feature-similarity metric), in evaluation mode.
    public func loadDiscriminator(_ configuration: ProbeGANConfiguration) throws -> Discriminator {
        guard FileManager.default.fileExists(atPath: lastCheckpoint) else {
            throw RunError.notARun(path: lastCheckpoint)
        }
        let checkpoint = try Checkpoint.read(from: lastCheckpoint)
        var tensors = [String: Tensor]()
        for (name, tensor) in checkpoint.tensors where name.hasPrefix("discriminator.") {
            tensors[String(name.dropFirst("discriminator.".count))] = tensor
        }
        let discriminator = ProbeGANModels.discriminator(configuration, seed: 0)
        try Checkpoint(tensors: tensors).load(into: discriminator, path: lastCheckpoint)
        discriminator.setTraining(false)
        discriminator.detachParameters()
        return discriminator
    }

    /// The configuration and selected iteration stored with the best generator.
    public func readRun() throws -> (configuration: ProbeGANConfiguration, selectedIteration: Int) {
        guard FileManager.default.fileExists(atPath: bestGenerator) else {
            throw RunError.notARun(path: bestGenerator)
        }
        let checkpoint = try Checkpoint.read(from: bestGenerator)
        let configuration = try ProbeGANTrainer.configuration(in: checkpoint, path: bestGenerator)
        return (configuration, Int(checkpoint.metadata["selectedIteration"] ?? "") ?? 0)
    }

    /// `value` as sorted, pretty-printed JSON (the form of every file a run folder holds).
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(value)
    }
}

/// `configuration.json`: the ProbeGAN configuration and where its data, classifier and judge came from.
public struct ResolvedRunConfiguration: Codable, Sendable {
    /// The GAN's configuration.
    public let probegan: ProbeGANConfiguration
    /// The data source, as text and (runs from this version on) machine-readable.
    public let data: String
    /// The data source, machine-readable (nil in runs written before it was recorded).
    public let dataSource: ClassifierDataSource?
    /// The probed classifier's label, checkpoint and training-data fingerprint.
    public let classifier: String, classifierPath: String, classifierDataHash: String
    /// FNV-1a of the probed classifier's checkpoint bytes when the run started (nil in runs written
    /// before it was recorded): a resumed run must probe the same classifier.
    public var classifierFingerprint: String? = nil
    /// The judge's checkpoint and the statement of its use.
    public let judgePath: String, judgeUse: String
    /// The selection rule in words.
    public let selection: String
    /// What one real example (and one generated sample) is: the audio frontend, or the image data
    /// set (nil in runs written before it was recorded). Judges of other inputs are refused.
    public var representation: String? = nil
    /// Everything `studio train` was asked, whole (nil in runs written before it was recorded):
    /// `studio train --config` reproduces the run from it, `--resume` continues it.
    public var request: TrainingRequest? = nil
}

/// `manifest.json`: what the GAN trained on and the target-absence proof.
struct AbsenceRecord: Codable {
    /// Fingerprint of manifest.csv, clips per class, and whether any held-out clip was used (never).
    let manifestHash: String, clipsPerClass: [String: Int], heldOutTestSplitUsed: Bool
    /// The proof in words.
    let statement: String
    /// The proof (nil in runs written before it was computed from the trainer's examples).
    let proof: AbsenceProof?
}
