import ArgumentParser
import StudioPipelines

/// `studio libraries`: which C libraries this build runs on (CI prints it first).
struct LibrariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "libraries",
        abstract: "Print the versions of the linked C libraries and OpenBLAS's kernel choice."
    )

    func run() {
        for (name, version) in LibraryVersions.report() { print("\(name): \(version)") }
    }
}
