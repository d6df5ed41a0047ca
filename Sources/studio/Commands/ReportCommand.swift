import ArgumentParser
import Foundation
import StudioPipelines

/// `studio report`: a run as one self-contained HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write RUN/report.html: result, clips with players, curves, selection trajectory, proof, E-GBAS.")

    @Option(
        name: .customLong("run"), help: ArgumentHelp("The run folder written by `studio train`.", valueName: "folder"))
    var runFolder: String

    @Option(help: ArgumentHelp("Output file (default: RUN/report.html).", valueName: "file"))
    var out: String?

    func run() throws {
        let path = try RunReport.write(runFolder: runFolder, output: out)
        print("wrote \(path) (self-contained: open it in any browser, offline)")
    }
}
