import ArgumentParser
import Foundation
import StudioPipelines
import StudioSupport

/// `studio render`: listen to (or look at) what a run learned.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write samples of one class from a run's selected generator: WAVs with spectrograms, or PNGs.")

    @Option(
        name: .customLong("run"), help: ArgumentHelp("The run folder written by `studio train`.", valueName: "folder"))
    var runFolder: String

    @Option(name: .customLong("class"), help: "The class to render (e.g. women).")
    var className: String

    @Option(help: "Number of samples.")
    var count = 50

    @Option(help: ArgumentHelp("Output folder (default: RUN/render-CLASS).", valueName: "folder"))
    var out: String?

    @Option(help: "Seed of the latents and of Griffin-Lim's phases.")
    var seed: UInt64 = 0

    @Flag(help: "Print the JSON summary.")
    var json = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count)") }
    }

    func run() throws {
        let folder = out ?? URL(fileURLWithPath: runFolder).appendingPathComponent("render-\(className)").path
        nonisolated(unsafe) var bar: ProgressBar?
        let summary = try RenderPipeline.render(
            runFolder: runFolder, className: className, count: count, outputFolder: folder, seed: seed
        ) { done, total in
            if bar == nil { bar = ProgressBar("rendering", total: total) }
            bar?.update(done)
        }
        if json {
            print(try jsonString(summary))
            return
        }
        print(
            "wrote \(summary.files.count) samples of \(className) to \(folder) (generator of iteration \(summary.selectedIteration))"
        )
        if let convergence = summary.meanSpectralConvergence {
            print(String(format: "mean Griffin-Lim spectral convergence %.3f", convergence))
        }
        print("grid: \(summary.grid)")
    }
}
