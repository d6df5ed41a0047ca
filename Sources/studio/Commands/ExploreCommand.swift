import ArgumentParser
import EGBAS
import Foundation
import StudioPipelines
import StudioSupport

/// `studio explore`: E-GBAS in a trained generator.
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "E-GBAS: samples that share a query's generative region, against epsilon-ball sampling.",
        discussion: """
            For each query latent and generator layer: BerOpt finds the smallest set of the layer's ReLU \
            units that keeps the output, GB-RRT grows a tree inside the region their signs bound, and \
            epsilon-L2 / epsilon-Linf balls sized from the tree's accepted and rejected points are the \
            baselines. Writes explore.md and explore.json (the paper's Tables 1 and 2), a grid and a tree \
            plot per query and layer, and the E-GBAS samples as WAVs (audio) or PNGs (images).
            """)

    @Option(
        name: .customLong("run"), help: ArgumentHelp("The run folder written by `studio train`.", valueName: "folder"))
    var runFolder: String

    @Option(
        name: .customLong("layer"),
        help:
            "Generator ReLU layers, comma-separated indices (default: three spread over the depth; an unknown index lists them)."
    )
    var layers: String?

    @Option(name: .customLong("query"), help: "Query seeds, comma-separated (default: 0..<--queries).")
    var querySeeds: String?

    @Option(help: "Number of queries when --query is not given.")
    var queries = 10

    @Option(
        name: .customLong("class"),
        help: ArgumentHelp("Class of the queries (default: the run's unseen class).", valueName: "class"))
    var queryClass: String?

    @Option(help: "Samples per method and query.")
    var samples = 16

    @Option(help: ArgumentHelp("Output folder (default: RUN/explore).", valueName: "folder"))
    var out: String?

    @Option(help: "BerOpt's sparsity weight lambda (on the mean keep-probability).")
    var lambda: Float = BernoulliMaskOptimization().sparsityWeight

    @Option(help: "BerOpt's Adam steps.")
    var maskSteps = BernoulliMaskOptimization().steps

    @Flag(help: "One keep-probability per channel instead of per unit.")
    var perChannel = false

    @Option(help: "GB-RRT's sampling interval I (half-width of the box around the query).")
    var interval: Float = BoundaryRRT().interval

    @Option(help: "GB-RRT's step size delta.")
    var step: Float = BoundaryRRT().stepSize

    @Option(help: "GB-RRT's iterations N.")
    var iterations = BoundaryRRT().iterations

    @Option(help: "Seed of the masks, proposals and baselines.")
    var seed: UInt64 = 0

    @Flag(help: "Do not write WAVs (audio runs).")
    var noAudio = false

    @Flag(help: "Print the JSON report.")
    var json = false

    func validate() throws {
        guard samples >= 2 else { throw ValidationError("--samples must be at least 2, got \(samples)") }
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1, got \(queries)") }
        guard lambda >= 0 else { throw ValidationError("--lambda must be >= 0, got \(lambda)") }
        guard interval > 0, step > 0 else { throw ValidationError("--interval and --step must be positive") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        _ = try parsedLayers()
        _ = try parsedSeeds()
    }

    func parsedLayers() throws -> [Int]? {
        guard let layers else { return nil }
        return try layers.split(separator: ",").map { part in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw ValidationError("--layer takes comma-separated layer indices, got '\(part)'")
            }
            return value
        }
    }

    func parsedSeeds() throws -> [UInt64] {
        guard let querySeeds else { return (0..<queries).map { UInt64($0) } }
        return try querySeeds.split(separator: ",").map { part in
            guard let value = UInt64(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--query takes comma-separated seeds, got '\(part)'")
            }
            return value
        }
    }

    func run() throws {
        let folder = out ?? URL(fileURLWithPath: runFolder).appendingPathComponent("explore").path
        var request = ExploreRequest(runFolder: runFolder, outputFolder: folder)
        request.layers = try parsedLayers()
        request.querySeeds = try parsedSeeds()
        request.className = queryClass
        request.samples = samples
        request.seed = seed
        request.writeAudio = !noAudio
        request.sampling.maskOptimization.sparsityWeight = lambda
        request.sampling.maskOptimization.steps = maskSteps
        request.sampling.maskOptimization.perChannel = perChannel
        request.sampling.tree.interval = interval
        request.sampling.tree.stepSize = step
        request.sampling.tree.iterations = iterations
        nonisolated(unsafe) var bar: ProgressBar?
        let report = try ExplorePipeline.run(request) { done, total in
            if bar == nil { bar = ProgressBar("exploring", total: total) }
            bar?.update(done)
        }
        if json {
            print(try jsonString(report))
            return
        }
        print(report.markdown)
        print(
            String(
                format: "GB-RRT: %.1f accepted samples per second, %.2f region tests per accepted sample",
                report.acceptedPerSecond, report.evaluationsPerAccepted))
        print("wrote \(folder)/explore.md, explore.json, and a grid, a tree plot and samples per query and layer")
    }
}
