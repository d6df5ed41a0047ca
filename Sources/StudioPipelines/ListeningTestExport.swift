import Foundation
import ProbeGAN
import StudioAudio
import StudioCorpus
import StudioEvaluation
import StudioSupport

/// What `studio listening-test export` is asked to build.
public struct ListeningExportRequest: Sendable {
    /// Runs whose selected generators provide clips.
    public var runFolders: [String]
    /// Generated clips per class and run.
    public var perClass = 10
    /// Real held-out clips per class through the same log-mel and Griffin-Lim path (controls).
    public var controlsPerClass = 0
    /// Untouched real held-out clips that a listener paying attention labels correctly.
    public var attentionChecks = 2
    /// The folder people receive (it never holds the answer key).
    public var outputFolder: String
    /// The answer key (default: beside the folder, `OUT.key.csv`).
    public var keyPath: String?
    /// Shuffle and sampling seed.
    public var seed: UInt64 = 0
    /// Clips per MTurk HIT in the batch input file.
    public var clipsPerHIT = 10
    /// Where the clips will be served from for MTurk (the batch file's URLs start with it).
    public var baseURL = "https://example.org/listening-test"
    /// The audio corpus of controls and attention checks (its test split: held-out speakers).
    public var corpusFolder: String
    /// The cache of log-mel features.
    public var cacheFolder: String

    /// A request for `runFolders`, written to `outputFolder`.
    public init(runFolders: [String], outputFolder: String, corpusFolder: String, cacheFolder: String) {
        self.runFolders = runFolders
        self.outputFolder = outputFolder
        self.corpusFolder = corpusFolder
        self.cacheFolder = cacheFolder
    }

    /// The key's path.
    public var resolvedKeyPath: String {
        keyPath ?? URL(fileURLWithPath: outputFolder).standardizedFileURL.path + ".key.csv"
    }
}

/// What the export wrote.
public struct ListeningExportSummary: Sendable, Codable {
    /// The folder, its page, the key, the batch file.
    public let folder: String, page: String, key: String, batchInput: String
    /// Clips by kind.
    public let generated: Int, controls: Int, attentionChecks: Int
    /// The answer choices.
    public let choices: [String]
}

/// `studio listening-test export`: a self-contained folder of anonymised, shuffled clips with an
/// offline page (audio player and a choice per clip, progress kept in the browser, answers exported
/// as CSV), an MTurk batch input file and HIT layout, and an answer key written outside the folder.
public enum ListeningTestExport {
    /// Builds the folder.
    public static func export(
        _ request: ListeningExportRequest, progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> ListeningExportSummary {
        guard !request.runFolders.isEmpty, request.perClass >= 1 || request.controlsPerClass >= 1 else {
            throw EvaluationError.badListeningFile(
                path: request.outputFolder, line: 0, reason: "nothing to export: give --run and --per-class >= 1")
        }
        let key = request.resolvedKeyPath
        let folderURL = URL(fileURLWithPath: request.outputFolder).standardizedFileURL
        if URL(fileURLWithPath: key).standardizedFileURL.path.hasPrefix(folderURL.path + "/") {
            throw EvaluationError.badListeningFile(
                path: key, line: 0, reason: "the answer key must not live inside the folder people receive")
        }
        let lock = try FolderLock(folderURL.path)
        defer { lock.release(removingFile: true) }
        // A test already handed out must keep its key: answers collected for it score against it.
        for existing in [key, folderURL.appendingPathComponent("index.html").path]
        where FileManager.default.fileExists(atPath: existing) {
            throw EvaluationError.badListeningFile(
                path: existing, line: 0,
                reason: "a listening test was already exported here, and its answers score against its own key; "
                    + "export into another folder (--out), or move the old folder and key aside first")
        }
        let clips = folderURL.appendingPathComponent("clips")
        let staging = folderURL.appendingPathComponent(".staging")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: clips, withIntermediateDirectories: true)
        var staged = [(file: String, entry: ListeningKeyEntry)]()
        var classes = [String]()
        var random = SplitMix64(seed: request.seed)
        // Each run renders its final classes; controls come from every class of the corpus (about as many).
        let runs = try request.runFolders.map { ($0, try RunFolder($0).readRun().configuration) }
        let total =
            runs.map { $0.1.finalClasses.count * request.perClass }.reduce(0, +)
            + request.controlsPerClass * (runs.first?.1.classNames.count ?? 0) + request.attentionChecks
        func stage(_ entry: ListeningKeyEntry, write: (String) throws -> Void) throws {
            let file = staging.appendingPathComponent(String(format: "%05d.wav", staged.count)).path
            try write(file)
            staged.append((file, entry))
            progress(staged.count, total)
        }
        for (run, configuration) in runs {
            let folder = RunFolder(run)
            guard configuration.isSpectrogram else {
                throw EvaluationError.badListeningFile(
                    path: run, line: 0, reason: "is an image run; a listening test needs audio runs")
            }
            for name in configuration.classNames where !classes.contains(name) { classes.append(name) }
            let generator = try folder.loadBestGenerator(configuration)
            let source = URL(fileURLWithPath: run).standardizedFileURL.lastPathComponent
            for label in configuration.finalClasses where request.perClass > 0 {
                let images = GeneratorSampling.samples(
                    generator, label: label, count: request.perClass, seed: random.next())
                for tile in RunArtifacts.tiles(images, limit: request.perClass) {
                    let entry = ListeningKeyEntry(
                        clip: "", kind: .generated, source: source, trueClass: configuration.classNames[label])
                    let seed = random.next()
                    try stage(entry) { file in
                        try SpectrogramAudio.writeWAV(
                            image: tile, bands: configuration.inputShape[1], frames: configuration.inputShape[2],
                            to: file, seed: seed)
                    }
                }
            }
        }
        if request.controlsPerClass > 0 || request.attentionChecks > 0 {
            let corpus = try Corpus.load(folder: request.corpusFolder)
            let held = corpus.items(in: .test)
            if request.controlsPerClass > 0 {
                let (_, test) = try ClassifierPipelines.data(
                    .audio(corpus: request.corpusFolder), cacheFolder: request.cacheFolder)
                for (label, name) in test.classNames.enumerated() {
                    var indices = test.labels.indices.filter { test.labels[$0] == label }
                    indices.shuffle(using: &random)
                    for index in indices.prefix(request.controlsPerClass) {
                        let (image, _) = test.batch([index])
                        let seed = random.next()
                        try stage(ListeningKeyEntry(clip: "", kind: .control, source: "real", trueClass: name)) {
                            file in
                            try SpectrogramAudio.writeWAV(
                                image: image.scalars, bands: test.height, frames: test.width, to: file, seed: seed)
                        }
                    }
                }
            }
            var pool = held
            pool.shuffle(using: &random)
            let names = Array(Set(held.map(\.className))).sorted()
            for check in 0..<request.attentionChecks {
                guard !names.isEmpty, let item = pool.first(where: { $0.className == names[check % names.count] })
                else { break }
                pool.removeAll { $0 == item }
                try stage(ListeningKeyEntry(clip: "", kind: .attention, source: "real", trueClass: item.className)) {
                    file in try AudioFile.write(try AudioFile.read(item.path), to: file)
                }
            }
        }
        staged.shuffle(using: &random)
        var entries = [ListeningKeyEntry]()
        for (index, item) in staged.enumerated() {
            var entry = item.entry
            entry.clip = String(format: "clip-%04d.wav", index + 1)
            let target = clips.appendingPathComponent(entry.clip)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(atPath: item.file, toPath: target.path)
            entries.append(entry)
        }
        try? FileManager.default.removeItem(at: staging)
        let choices = classes + ["unsure"]
        let testID = Fingerprint.fnv1a64(entries.map(\.clip).joined() + "\(request.seed)" + request.runFolders.joined())
        let page = folderURL.appendingPathComponent("index.html").path
        try AtomicFile.write(
            Data(ListeningTestPage.html(clips: entries.map(\.clip), choices: choices, testID: testID).utf8), to: page)
        try AtomicFile.write(
            Data(ListeningTestPage.hitLayout(clipsPerHIT: request.clipsPerHIT, choices: choices).utf8),
            to: folderURL.appendingPathComponent("hit-layout.html").path)
        let batch = folderURL.appendingPathComponent("batch-input.csv").path
        let perHIT = max(request.clipsPerHIT, 1)
        var rows = [CSVLine.line((1...perHIT).map { "audio_url_\($0)" })]
        for start in stride(from: 0, to: entries.count, by: perHIT) {
            // The last HIT is filled up from the start of the list, so every HIT has the same layout.
            let urls = (start..<(start + perHIT)).map { "\(request.baseURL)/clips/\(entries[$0 % entries.count].clip)" }
            rows.append(CSVLine.line(urls))
        }
        try AtomicFile.write(Data((rows.joined(separator: "\n") + "\n").utf8), to: batch)
        try ListeningKeyEntry.write(entries, to: key)
        return ListeningExportSummary(
            folder: folderURL.path, page: page, key: key, batchInput: batch,
            generated: entries.filter { $0.kind == .generated }.count,
            controls: entries.filter { $0.kind == .control }.count,
            attentionChecks: entries.filter { $0.kind == .attention }.count, choices: choices)
    }
}
