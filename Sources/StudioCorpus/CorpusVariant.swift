import Dispatch
import Foundation
import StudioAudio
import StudioSupport

/// Which clips of a corpus a variant changes, and how.
public struct CorpusVariantRule: Sendable, Codable, Equatable {
    /// The class whose clips change (nil: every class).
    public var className: String?
    /// Share of that class's clips that change, chosen per file by a seeded hash of its path.
    public var fraction: Double
    /// The splits whose clips change.
    public var splits: [CorpusSplit]
    /// The change.
    public var effect: AudioEffect

    /// A rule.
    public init(
        className: String?, fraction: Double = 1, splits: [CorpusSplit] = CorpusSplit.allCases, effect: AudioEffect
    ) {
        self.className = className
        self.fraction = fraction
        self.splits = splits
        self.effect = effect
    }
}

/// A copy of a folder corpus with some clips changed (a planted marker, a telephone band): the
/// data of a controlled experiment, on disk, so that every command (and a listener) can use it.
/// Unchanged clips are copied byte for byte, so their cached features are reused.
public struct CorpusVariant: Sendable, Codable, Equatable {
    /// A short name (the folder's name in reports).
    public var name: String
    /// Why the variant exists, for its README.
    public var purpose: String
    /// The changes; the first rule that selects a clip applies.
    public var rules: [CorpusVariantRule]
    /// Seed of the per-file choices.
    public var seed: UInt64

    /// A variant.
    public init(name: String, purpose: String, rules: [CorpusVariantRule], seed: UInt64 = 0) {
        self.name = name
        self.purpose = purpose
        self.rules = rules
        self.seed = seed
    }

    /// What a build wrote (`variant.json`, written last: its presence means the build finished).
    public struct Record: Sendable, Codable, Equatable {
        /// The variant.
        public var variant: CorpusVariant
        /// The corpus it was made from, and a fingerprint of its files (paths and sizes).
        public var source: String, sourceFingerprint: String
        /// Changed clips per `split/class`.
        public var changed: [String: Int]
        /// Clips per `split/class`.
        public var total: [String: Int]
    }

    /// The record file of a variant folder.
    public static func recordPath(_ folder: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent("variant.json").path
    }

    /// The record of a finished build of this variant from `corpus` (as it is now) in `folder`, or nil.
    public func existingRecord(in folder: String, corpus: Corpus) -> Record? {
        guard let data = FileManager.default.contents(atPath: Self.recordPath(folder)),
            let record = try? JSONDecoder().decode(Record.self, from: data),
            record.variant == self, record.source == corpus.root,
            record.sourceFingerprint == Self.fingerprint(corpus)
        else { return nil }
        return record
    }

    /// Paths and sizes of every file of `corpus`: a changed or rebuilt corpus gets a new variant.
    static func fingerprint(_ corpus: Corpus) -> String {
        Fingerprint.fnv1a64(
            corpus.items.map { item in
                let size = (try? FileManager.default.attributesOfItem(atPath: item.path))?[.size] as? Int ?? -1
                return "\(item.split.rawValue)|\(item.className)|\(item.path)|\(size)"
            }.joined(separator: "\n"))
    }

    /// The rule that changes `item` (nil: copied unchanged).
    public func rule(for item: CorpusItem, relativePath: String) -> CorpusVariantRule? {
        rules.first { rule in
            guard rule.className == nil || rule.className == item.className, rule.splits.contains(item.split) else {
                return false
            }
            return Fingerprint.isChosen(relativePath, seed: seed, fraction: rule.fraction)
        }
    }

    /// Writes the variant of `corpus` (a folder corpus: `[split/]class/file`) into `folder`;
    /// reuses a finished build of the same variant. `progress` gets (done, total).
    /// - Throws: `CorpusError.unknownClasses` for a rule naming a class the corpus lacks, audio
    ///   errors naming the file that failed.
    @discardableResult
    public func build(
        from corpus: Corpus, into folder: String, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> Record {
        if let record = existingRecord(in: folder, corpus: corpus) { return record }
        try corpus.validate(classNames: rules.compactMap(\.className))
        let root = URL(fileURLWithPath: corpus.root).standardizedFileURL.path
        let items = corpus.items
        let relativePaths = try items.map { item in
            let path = URL(fileURLWithPath: item.path).standardizedFileURL.path
            guard path.hasPrefix(root + "/") else {
                throw CorpusError.buildFailed(
                    step: "variant \(name)", reason: "\(item.path) lies outside the corpus folder \(root)")
            }
            return String(path.dropFirst(root.count + 1))
        }
        // A different or unfinished earlier build must not leave files behind.
        try? FileManager.default.removeItem(atPath: folder)
        let lock = NSLock()
        nonisolated(unsafe) var failure: Error?
        nonisolated(unsafe) var changed = [String: Int]()
        nonisolated(unsafe) var total = [String: Int]()
        nonisolated(unsafe) var done = 0
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let item = items[index]
            let relative = relativePaths[index]
            let destination = URL(fileURLWithPath: folder).appendingPathComponent(relative).path
            let rule = rule(for: item, relativePath: relative)
            let result = Result {
                try FileManager.default.createDirectory(
                    atPath: URL(fileURLWithPath: destination).deletingLastPathComponent().path,
                    withIntermediateDirectories: true)
                if let rule {
                    let signal = try AudioFile.read(item.path)
                    let samples = try rule.effect.apply(to: signal.samples, sampleRate: signal.sampleRate)
                    // Float WAV: an added tone never clips.
                    try AudioFile.write(
                        AudioSignal(samples: samples, sampleRate: signal.sampleRate),
                        to: URL(fileURLWithPath: destination).deletingPathExtension().appendingPathExtension("wav")
                            .path,
                        encoding: .float32)
                } else {
                    try FileManager.default.copyItem(atPath: item.path, toPath: destination)
                }
            }
            let key = "\(item.split.rawValue)/\(item.className)"
            lock.lock()
            if case .failure(let error) = result { failure = failure ?? error }
            total[key, default: 0] += 1
            if rule != nil { changed[key, default: 0] += 1 }
            done += 1
            let count = done
            lock.unlock()
            progress(count, items.count)
        }
        if let failure { throw failure }
        let record = Record(
            variant: self, source: corpus.root, sourceFingerprint: Self.fingerprint(corpus), changed: changed,
            total: total)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let readme =
            "# \(name)\n\n\(purpose)\n\nMade from \(corpus.root) by Spectrogram Studio. Changed clips:\n\n"
            + rules.map { rule in
                "- \(rule.className ?? "every class"), \(rule.splits.map(\.rawValue).joined(separator: " and ")), "
                    + String(format: "%.0f%%", 100 * rule.fraction) + " of clips: \(rule.effect)"
            }.joined(separator: "\n") + "\n"
        try AtomicFile.write(
            Data(readme.utf8), to: URL(fileURLWithPath: folder).appendingPathComponent("README.md").path)
        try AtomicFile.write(try encoder.encode(record), to: Self.recordPath(folder))
        return record
    }
}
