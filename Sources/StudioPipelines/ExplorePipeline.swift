import EGBAS
import Foundation
import ProbeGAN
import StudioImage
import StudioModels
import StudioSupport
import StudioTensor

/// What `studio explore` is asked to do.
public struct ExploreRequest: Sendable {
    /// The run folder (its selected generator and last discriminator are explored).
    public var runFolder: String
    /// Where the tables, grids, tree plots and clips go.
    public var outputFolder: String
    /// Generator ReLU layers (indices into `activationLayerNames`); nil: three spread over the depth.
    public var layers: [Int]?
    /// Query seeds: query `k` is `z0 ~ N(0, I)` drawn with `seeds[k]`.
    public var querySeeds: [UInt64] = Array(0..<10)
    /// The class of every query; nil: the run's first unseen class.
    public var className: String?
    /// Samples per method and query.
    public var samples = 16
    /// Seed of BerOpt's masks, GB-RRT's proposals and the baselines.
    public var seed: UInt64 = 0
    /// E-GBAS settings.
    public var sampling = BoundaryAwareSampling()
    /// Write a WAV per E-GBAS sample (audio runs).
    public var writeAudio = true

    /// A request for `runFolder`, writing to `outputFolder`.
    public init(runFolder: String, outputFolder: String) {
        self.runFolder = runFolder
        self.outputFolder = outputFolder
    }
}

/// One query explored at one layer.
public struct ExploreCase: Sendable, Codable {
    /// Query number, its seed, the layer index and name.
    public let query: Int, querySeed: UInt64, layer: Int, layerName: String
    /// Units in the layer, units in the smallest supporting boundary set, and the RMS output change
    /// when only those units are kept.
    public let units: Int, boundaryCount: Int, keptOutputDistance: Float
    /// GB-RRT: tree nodes (query included), rejected and crowded proposals, region tests.
    public let treeNodes: Int, rejected: Int, crowded: Int, evaluations: Int
    /// The baselines' radii.
    public let l2Radius: Float, cubeHalfWidth: Float
    /// Samples per method actually drawn (the tree may hold fewer than asked).
    public let samples: Int
    /// Output standard deviation per method (`egbas`, `l2`, `linf`).
    public let standardDeviation: [String: Float]
    /// Mean cosine similarity to the query per method, one value per discriminator block.
    public let similarity: [String: [Float]]
    /// Wall time of BerOpt + GB-RRT, seconds.
    public let seconds: Double
}

/// Means over queries for one layer.
public struct ExploreLayerSummary: Sendable, Codable {
    /// The layer.
    public let layer: Int, layerName: String
    /// Mean boundary count and units.
    public let meanBoundaryCount: Double, units: Int
    /// Mean standard deviation per method.
    public let standardDeviation: [String: Float]
    /// Mean similarity per method and discriminator block.
    public let similarity: [String: [Float]]
    /// Queries where E-GBAS had a lower standard deviation than both baselines.
    public let queriesWithLowerDeviation: Int
    /// Queries where E-GBAS's mean similarity over blocks beat both baselines.
    public let queriesWithHigherSimilarity: Int
    /// Queries.
    public let queries: Int
}

/// `explore.json`.
public struct ExploreReport: Sendable, Codable {
    /// The run, the class explored, its label, and the settings used.
    public let run: String, className: String, settings: [String: String]
    /// Every query and layer.
    public let cases: [ExploreCase]
    /// Per-layer means.
    public let layers: [ExploreLayerSummary]
    /// Accepted tree nodes per second of E-GBAS time, and region tests per accepted node.
    public let acceptedPerSecond: Double, evaluationsPerAccepted: Double
    /// The Markdown tables.
    public let markdown: String
}

/// `studio explore`: E-GBAS in a trained generator against epsilon-ball sampling, over queries
/// and layers, with the paper's two metrics.
public enum ExplorePipeline {
    static let methods = ["egbas", "l2", "linf"]
    static let methodTitles = ["egbas": "E-GBAS", "l2": "epsilon-L2 ball", "linf": "epsilon-Linf cube"]

    /// The default layers: the first block's second ReLU, one in the middle, and the last block's
    /// second ReLU.
    public static func defaultLayers(count: Int) -> [Int] {
        Array(Set([1, count / 2, max(count - 2, 0)].filter { $0 < count })).sorted()
    }

    /// Runs the exploration and writes everything under `request.outputFolder`.
    public static func run(
        _ request: ExploreRequest, progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> ExploreReport {
        let folder = RunFolder(request.runFolder)
        let (configuration, _) = try folder.readRun()
        let generator = try folder.loadBestGenerator(configuration)
        let discriminator = try folder.loadDiscriminator(configuration)
        let className =
            request.className ?? configuration.unseen.first.map { configuration.classNames[$0] }
            ?? configuration.classNames[0]
        guard let label = configuration.classNames.firstIndex(of: className) else {
            throw ProbeGANError.unknownClass(name: className, known: configuration.classNames)
        }
        let layered = ClassConditionalGenerator(generator: generator, label: label)
        let layers = request.layers ?? defaultLayers(count: layered.layerNames.count)
        for layer in layers { try layered.validate(layer: layer) }
        guard request.samples >= 2, !request.querySeeds.isEmpty else {
            throw ExploreError.invalidSetting(
                name: "samples / queries", value: "\(request.samples) / \(request.querySeeds.count)",
                expected: "at least 2 samples and 1 query")
        }
        try FileManager.default.createDirectory(atPath: request.outputFolder, withIntermediateDirectories: true)
        let writer = try ExploreArtifacts(configuration: configuration, folder: request.outputFolder)
        let features: (Tensor) -> [Tensor] = { images in discriminator.blockOutputs(images).map { $0.relu() } }
        var cases = [ExploreCase]()
        var treeSeconds = 0.0
        var accepted = 0
        var evaluations = 0
        let total = layers.count * request.querySeeds.count
        for (queryIndex, querySeed) in request.querySeeds.enumerated() {
            var random = SplitMix64(seed: querySeed)
            let z0 = Tensor.randomNormal([1, layered.latentFeatures], using: &random)
            let queryOutput = layered.outputs(z0).detached
            for layer in layers {
                let caseSeed = request.seed &+ querySeed &* 1_000_003 &+ UInt64(layer)
                let started = Date()
                let exploration = try request.sampling.explore(
                    generator: layered, query: z0, layer: layer, seed: caseSeed)
                let seconds = Date().timeIntervalSince(started)
                treeSeconds += seconds
                accepted += exploration.tree.nodes.count - 1
                evaluations += exploration.tree.evaluations
                let egbas = BoundaryAwareSampling.samples(
                    from: exploration.tree, count: request.samples, seed: caseSeed &+ 2)
                let count = egbas.count
                let baselines = BoundaryAwareSampling.baselines(
                    exploration, query: z0.scalars, count: max(count, 2), seed: caseSeed &+ 3)
                let sets = ["egbas": egbas, "l2": baselines.l2, "linf": baselines.cube]
                var images = [String: Tensor]()
                var deviation = [String: Float]()
                var similarity = [String: [Float]]()
                for method in methods {
                    let points = sets[method] ?? []
                    guard points.count >= 2 else { continue }
                    let outputs = layered.outputs(
                        Tensor(shape: [points.count, layered.latentFeatures], scalars: points.flatMap { $0 })
                    ).detached
                    images[method] = outputs
                    deviation[method] = ExplorationMetrics.outputStandardDeviation(outputs)
                    similarity[method] = ExplorationMetrics.featureSimilarity(
                        samples: outputs, query: queryOutput, layers: features)
                }
                let name = layered.layerNames[layer]
                let stem = String(format: "q%02d-", queryIndex + 1) + name
                try writer.write(
                    stem: stem, query: queryOutput, images: images, exploration: exploration,
                    writeAudio: request.writeAudio, seed: caseSeed)
                cases.append(
                    ExploreCase(
                        query: queryIndex + 1, querySeed: querySeed, layer: layer, layerName: name,
                        units: exploration.boundaries.kept.count, boundaryCount: exploration.region.boundaryCount,
                        keptOutputDistance: exploration.boundaries.keptOutputDistance,
                        treeNodes: exploration.tree.nodes.count, rejected: exploration.tree.rejected.count,
                        crowded: exploration.tree.crowded, evaluations: exploration.tree.evaluations,
                        l2Radius: baselines.l2Radius, cubeHalfWidth: baselines.cubeHalfWidth, samples: count,
                        standardDeviation: deviation, similarity: similarity, seconds: seconds))
                progress(cases.count, total)
            }
        }
        let summaries = layers.map { summarize(cases, layer: $0, names: layered.layerNames) }
        var settings = [
            "lambda": "\(request.sampling.maskOptimization.sparsityWeight)",
            "berOptSteps": "\(request.sampling.maskOptimization.steps)",
            "threshold": "\(request.sampling.maskOptimization.threshold)",
            "perChannel": "\(request.sampling.maskOptimization.perChannel)",
            "interval": "\(request.sampling.tree.interval)", "stepSize": "\(request.sampling.tree.stepSize)",
            "iterations": "\(request.sampling.tree.iterations)", "samples": "\(request.samples)",
            "queries": "\(request.querySeeds.count)", "seed": "\(request.seed)",
        ]
        settings["discriminator"] = "last checkpoint (features: ReLU of each block's output)"
        let markdown = self.markdown(
            summaries: summaries, className: className, run: request.runFolder, settings: settings)
        let report = ExploreReport(
            run: request.runFolder, className: className, settings: settings, cases: cases, layers: summaries,
            acceptedPerSecond: treeSeconds > 0 ? Double(accepted) / treeSeconds : 0,
            evaluationsPerAccepted: accepted > 0 ? Double(evaluations) / Double(accepted) : 0, markdown: markdown)
        try RunFolder.json(report).write(
            to: URL(fileURLWithPath: request.outputFolder).appendingPathComponent("explore.json"), options: .atomic)
        try Data(markdown.utf8).write(
            to: URL(fileURLWithPath: request.outputFolder).appendingPathComponent("explore.md"), options: .atomic)
        return report
    }

    static func summarize(_ all: [ExploreCase], layer: Int, names: [String]) -> ExploreLayerSummary {
        let cases = all.filter { $0.layer == layer }
        // Cases whose tree held fewer than two samples have no E-GBAS numbers; means skip them.
        func mean(_ values: [Float]) -> Float { values.reduce(0, +) / Float(max(values.count, 1)) }
        var deviation = [String: Float]()
        var similarity = [String: [Float]]()
        for method in methods {
            let values = cases.compactMap { $0.standardDeviation[method] }
            if !values.isEmpty { deviation[method] = mean(values) }
            let rows = cases.compactMap { $0.similarity[method] }
            if let width = rows.first?.count {
                similarity[method] = (0..<width).map { index in mean(rows.map { $0[index] }) }
            }
        }
        let lower = cases.filter { item in
            guard let mine = item.standardDeviation["egbas"] else { return false }
            return ["l2", "linf"].allSatisfy { mine < (item.standardDeviation[$0] ?? .infinity) }
        }.count
        let higher = cases.filter { item in
            guard let mine = item.similarity["egbas"].map(mean) else { return false }
            return ["l2", "linf"].allSatisfy { mine > (item.similarity[$0].map(mean) ?? .infinity) }
        }.count
        return ExploreLayerSummary(
            layer: layer, layerName: names[layer],
            meanBoundaryCount: cases.isEmpty
                ? 0 : Double(cases.map(\.boundaryCount).reduce(0, +)) / Double(cases.count),
            units: cases.first?.units ?? 0, standardDeviation: deviation, similarity: similarity,
            queriesWithLowerDeviation: lower, queriesWithHigherSimilarity: higher, queries: cases.count)
    }

    static func markdown(
        summaries: [ExploreLayerSummary], className: String, run: String, settings: [String: String]
    ) -> String {
        func number(_ value: Float?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        var lines = [
            "# E-GBAS against epsilon-ball sampling",
            "",
            "Run `\(run)`, class \(className), \(summaries.first?.queries ?? 0) queries per layer. Settings: "
                + settings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".",
            "",
            "## Output standard deviation (the paper's Table 1; lower is more consistent)",
            "",
            "| method | " + summaries.map { "\($0.layerName)" }.joined(separator: " | ") + " |",
            "|---|" + summaries.map { _ in "---:" }.joined(separator: "|") + "|",
        ]
        for method in methods {
            lines.append(
                "| \(methodTitles[method] ?? method) | "
                    + summaries.map { number($0.standardDeviation[method]) }.joined(separator: " | ") + " |")
        }
        lines.append(
            "| boundaries kept / units | "
                + summaries.map { String(format: "%.1f / %d", $0.meanBoundaryCount, $0.units) }.joined(separator: " | ")
                + " |")
        lines.append(
            "| queries where E-GBAS is lowest | "
                + summaries.map { "\($0.queriesWithLowerDeviation) / \($0.queries)" }.joined(separator: " | ") + " |")
        lines += [
            "", "## Discriminator feature similarity to the query (the paper's Table 2; higher is more alike)", "",
        ]
        for summary in summaries {
            let blocks = summary.similarity["egbas"]?.count ?? 0
            lines.append("Generator layer \(summary.layerName):")
            lines.append("")
            lines.append("| method | " + (1...max(blocks, 1)).map { "D block \($0)" }.joined(separator: " | ") + " |")
            lines.append("|---|" + (1...max(blocks, 1)).map { _ in "---:" }.joined(separator: "|") + "|")
            for method in methods {
                let values = summary.similarity[method] ?? []
                lines.append(
                    "| \(methodTitles[method] ?? method) | "
                        + values.map { String(format: "%.4f", $0) }.joined(separator: " | ") + " |")
            }
            lines.append("")
            lines.append(
                "E-GBAS has the highest mean similarity for \(summary.queriesWithHigherSimilarity) of "
                    + "\(summary.queries) queries.")
            lines.append("")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
