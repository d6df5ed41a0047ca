import ArgumentParser
import Foundation
import StudioCorpus
import StudioPipelines
import StudioSupport

/// `studio corpus`: the default men / women / nonhuman corpus and user corpora.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Build, describe and check audio corpora.",
        subcommands: [CorpusBuildCommand.self, CorpusInfoCommand.self, CorpusCheckCommand.self]
    )
}

/// Where the default corpus lives.
struct CorpusLocationOptions: ParsableArguments {
    @Option(
        help:
            "Cache folder for downloaded packages and the built corpus (default: $STUDIO_CACHE or ~/.cache/spectrogram-studio)."
    )
    var cache: String?

    /// The cache folder, absolute: the classifier and judge paths a run records must read from any folder.
    var cacheFolder: String {
        URL(fileURLWithPath: cache ?? DefaultCorpusBuilder.defaultCacheFolder).standardizedFileURL.path
    }
    var corpusFolder: String { URL(fileURLWithPath: cacheFolder).appendingPathComponent("corpus-default").path }
}

/// `studio corpus build`.
struct CorpusBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the default corpus from recordings in Debian packages (downloaded, never installed).",
        discussion: "Incremental: packages are downloaded once, and a corpus built with the same parameters is kept."
    )

    @OptionGroup var location: CorpusLocationOptions

    @Option(help: "Clips per class.")
    var perClass = 1000

    /// Not `--seed`: this seed names a corpus (it is part of the corpus's identity, and 1 is the
    /// default corpus every cached classifier and documented result uses), where every other
    /// command's `--seed` draws that command's random numbers and defaults to 0.
    @Option(
        name: .customLong("corpus-seed"),
        help: "Which corpus: the seed of its clip choice (1 is the default corpus; same seed, same corpus).")
    var seed: UInt64 = 1

    func run() throws {
        var builder = DefaultCorpusBuilder(cacheFolder: location.cacheFolder, outputFolder: location.corpusFolder)
        builder.clipsPerClass = perClass
        builder.seed = seed
        nonisolated(unsafe) var bar: ProgressBar?
        let report = try builder.build { done, total in
            if bar == nil { bar = ProgressBar("decoding", total: total) }
            bar?.update(done)
        }
        print(
            report.reused
                ? "corpus already built with these parameters: \(location.corpusFolder)"
                : "built \(location.corpusFolder)")
        for className in report.counts.keys.sorted() {
            let counts = report.counts[className]!
            print(
                "\(className): \(counts[.train, default: 0]) train, \(counts[.test, default: 0]) test, "
                    + "\(report.speakers[className]?.count ?? 0) speakers/groups")
        }
    }
}

/// `studio corpus info`.
struct CorpusInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Counts per class, speaker and split, and a picture of example spectrograms.")

    @Argument(help: "A corpus folder (default: the built default corpus).")
    var folder: String?

    @OptionGroup var location: CorpusLocationOptions

    @Option(help: "Write a PNG of one example spectrogram per class here.")
    var png: String?

    @Flag(help: "Print JSON (including the corpus root) instead of text.")
    var json = false

    func run() throws {
        let root = folder ?? location.corpusFolder
        let summary = try CorpusPipelines.summarize(folder: root, examplesPNG: png)
        if json {
            print(try jsonString(summary))
            return
        }
        print(
            "corpus \(summary.root): \(summary.itemCount) clips, \(String(format: "%.1f", summary.totalSeconds / 60)) min"
        )
        for entry in summary.classes {
            print("  \(entry.name): \(entry.train) train, \(entry.test) test, \(entry.speakers.count) speakers/groups")
        }
        if let png { print("wrote \(png)") }
    }
}

/// `studio corpus check DIR`.
struct CorpusCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a user corpus: unreadable files, rates, lengths, duplicates, classes with too few clips.")

    @Argument(help: "A folder with one sub-folder per class (optionally under train/ and test/), or a manifest CSV.")
    var path: String

    @Option(help: "Warn about classes with fewer clips than this.")
    var minimumClips = 50

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let report = try CorpusPipelines.check(path: path, minimumClips: minimumClips) { done, total in
            ProgressBarHolder.shared.update(done, total)
        }
        if json {
            print(try jsonString(report))
        } else {
            print(
                "\(report.itemCount) files in \(report.classCounts.count) classes: "
                    + report.classCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", "))
            for problem in report.problems { print("problem: \(problem)") }
            if report.problems.isEmpty { print("no problems found") }
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

/// One progress bar shared by a command's callbacks.
final class ProgressBarHolder: @unchecked Sendable {
    static let shared = ProgressBarHolder()
    private var bar: ProgressBar?
    private let lock = NSLock()

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        if bar == nil { bar = ProgressBar("reading", total: total) }
        let current = bar
        lock.unlock()
        current?.update(done)
    }
}
