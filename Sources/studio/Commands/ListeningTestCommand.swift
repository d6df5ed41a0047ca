import ArgumentParser
import Foundation
import StudioEvaluation
import StudioPipelines
import StudioSupport

/// `studio listening-test`: export a test people can take, and score their answers.
struct ListeningTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listening-test",
        abstract: "Batch listening tests: export clips with an offline page and MTurk files, score the answers.",
        subcommands: [ListeningExportCommand.self, ListeningScoreCommand.self])
}

/// `studio listening-test export`.
struct ListeningExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Write anonymised, shuffled clips, index.html, batch-input.csv and hit-layout.html; the key goes outside.")

    @Option(
        name: .customLong("run"), help: ArgumentHelp("A run folder (repeat for several runs).", valueName: "folder"))
    var runs: [String] = []

    @Option(help: "Generated clips per class and run.")
    var perClass = 10

    @Option(help: "Real held-out clips per class, through the same log-mel and Griffin-Lim path (controls).")
    var controls = 0

    @Option(help: "Untouched real held-out clips as attention checks.")
    var attentionChecks = 2

    @Option(help: ArgumentHelp("The folder to hand out.", valueName: "folder"))
    var out: String

    @Option(help: "The answer key (default: OUT.key.csv, beside the folder; never inside it).")
    var key: String?

    @Option(help: "Seed of the sampling and the shuffle.")
    var seed: UInt64 = 0

    @Option(help: "Clips per MTurk HIT.")
    var clipsPerHit = 10

    @Option(help: "Where the folder will be served for MTurk (prefix of the batch file's URLs).")
    var baseUrl = "https://example.org/listening-test"

    @Option(
        help:
            "The audio corpus of the controls and attention checks (its held-out test split; default: the built default corpus)."
    )
    var data: String?

    @OptionGroup var location: CorpusLocationOptions

    @Flag(help: "Print the JSON summary.")
    var json = false

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one --run DIR") }
        guard perClass >= 0, controls >= 0, attentionChecks >= 0, clipsPerHit >= 1 else {
            throw ValidationError("--per-class, --controls and --attention-checks must be >= 0, --clips-per-hit >= 1")
        }
    }

    func run() throws {
        var request = ListeningExportRequest(
            runFolders: runs, outputFolder: out, corpusFolder: data ?? location.corpusFolder,
            cacheFolder: location.cacheFolder)
        request.perClass = perClass
        request.controlsPerClass = controls
        request.attentionChecks = attentionChecks
        request.keyPath = key
        request.seed = seed
        request.clipsPerHIT = clipsPerHit
        request.baseURL = baseUrl
        nonisolated(unsafe) var bar: ProgressBar?
        let summary = try ListeningTestExport.export(request) { done, total in
            if bar == nil { bar = ProgressBar("clips", total: total) }
            bar?.update(done)
        }
        if json {
            print(try jsonString(summary))
            return
        }
        print(
            "wrote \(summary.generated) generated, \(summary.controls) control and \(summary.attentionChecks) "
                + "attention-check clips to \(summary.folder)")
        print(
            "open \(summary.page) in a browser (offline), or upload the folder and use batch-input.csv with hit-layout.html"
        )
        print(
            "the answer key is \(summary.key): keep it; score with studio listening-test score --answers A.csv --key \(summary.key)"
        )
    }
}

/// `studio listening-test score`.
struct ListeningScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Recognition per run and class with Wilson 95% intervals, confusion matrices, agreement.")

    @Option(name: .customLong("answers"), help: "An answers CSV exported by the page (repeat for several listeners).")
    var answers: [String] = []

    @Option(help: "The answer key written by export.")
    var key: String

    @Option(help: "Share of attention checks a listener must get right to be counted.")
    var minCheckAccuracy = 1.0

    @Option(
        help: ArgumentHelp(
            "Folder for score.md, score.json and one confusion PNG per source (default: beside the key).",
            valueName: "folder"))
    var out: String?

    @Flag(help: "Print the JSON report.")
    var json = false

    func validate() throws {
        guard !answers.isEmpty else { throw ValidationError("give at least one --answers FILE") }
        guard (0...1).contains(minCheckAccuracy) else {
            throw ValidationError("--min-check-accuracy is a share in [0, 1]")
        }
    }

    func run() throws {
        let entries = try ListeningKeyEntry.read(key)
        var classes = [String]()
        for entry in entries where !classes.contains(entry.trueClass) { classes.append(entry.trueClass) }
        let choices = classes.sorted() + ["unsure"]
        var all = [ListeningAnswer]()
        for file in answers { all += try ListeningAnswer.read(file, key: entries, choices: choices) }
        let score = ListeningTestScore(
            answers: all, key: entries, choices: choices, minimumCheckAccuracy: minCheckAccuracy)
        let folder = out ?? URL(fileURLWithPath: key).deletingLastPathComponent().appendingPathComponent("score").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try AtomicFile.write(Data(score.markdown.utf8), to: folder + "/score.md")
        try AtomicFile.write(Data(try jsonString(score).utf8), to: folder + "/score.json")
        for confusion in score.confusions {
            try ConfusionPicture.write(
                counts: confusion.counts, rows: confusion.rows, columns: confusion.columns,
                title: "listeners: \(confusion.source)", xLabel: "answer",
                to: folder + "/confusion-\(confusion.source.replacingOccurrences(of: "/", with: "_")).png")
        }
        if json {
            print(try jsonString(score))
            return
        }
        print(score.markdown)
        print("wrote \(folder)/score.md, score.json and the confusion PNGs")
    }
}
