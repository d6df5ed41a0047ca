import Foundation
import StudioSupport

/// Which part of a corpus an item belongs to.
public enum CorpusSplit: String, Sendable, Codable, CaseIterable {
    /// Training data (for the classifier, the GAN and the validation split cut from it).
    case train
    /// Held-out data (for evaluation only).
    case test
}

/// One clip or image of a corpus.
public struct CorpusItem: Sendable, Hashable, Codable {
    /// The file.
    public var path: String
    /// The class name, as the data names it.
    public var className: String
    /// Who or what produced it (a speaker for speech; a source group otherwise).
    public var speaker: String
    /// Train or test.
    public var split: CorpusSplit

    /// An item.
    public init(path: String, className: String, speaker: String, split: CorpusSplit) {
        self.path = path
        self.className = className
        self.speaker = speaker
        self.split = split
    }
}

/// A labelled collection of files: the default corpus, a user's class folders or a manifest CSV.
public struct Corpus: Sendable {
    /// Where it was loaded from.
    public let root: String
    /// Every item.
    public let items: [CorpusItem]

    /// A corpus of items.
    public init(root: String, items: [CorpusItem]) {
        self.root = root
        self.items = items
    }

    /// Class names, sorted (the class index of a name is its position here).
    public var classNames: [String] { Array(Set(items.map(\.className))).sorted() }

    /// Items of one split.
    public func items(in split: CorpusSplit) -> [CorpusItem] { items.filter { $0.split == split } }

    /// Checks that every name is a class of this corpus.
    /// - Throws: `CorpusError.unknownClasses` listing the unknown names and the available ones.
    public func validate(classNames names: [String]) throws {
        let known = Set(classNames)
        let unknown = names.filter { !known.contains($0) }
        if !unknown.isEmpty { throw CorpusError.unknownClasses(names: unknown, available: classNames) }
    }

    /// File extensions read as audio.
    public static let audioExtensions: Set<String> = ["wav", "flac", "ogg", "oga", "mp3", "aif", "aiff", "au"]

    /// Loads a folder with one sub-folder per class, optionally under `train/` and `test/` (without
    /// them every item is `train`). The speaker of a file is the part of its name before the first
    /// `__` if present (the default corpus's convention), else its class folder.
    public static func load(folder: String) throws -> Corpus {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError.folderNotFound(path: folder)
        }
        let root = URL(fileURLWithPath: folder)
        let splitFolders = CorpusSplit.allCases.filter { split in
            var directory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: root.appendingPathComponent(split.rawValue).path, isDirectory: &directory)
                && directory.boolValue
        }
        var items = [CorpusItem]()
        let layers: [(CorpusSplit, URL)] =
            splitFolders.isEmpty
            ? [(.train, root)] : splitFolders.map { ($0, root.appendingPathComponent($0.rawValue)) }
        for (split, base) in layers {
            for className in try subfolders(of: base) {
                let classFolder = base.appendingPathComponent(className)
                let files = try audioFiles(in: classFolder)
                if files.isEmpty { throw CorpusError.emptyClass(name: className, path: classFolder.path) }
                for file in files {
                    let name = file.deletingPathExtension().lastPathComponent
                    let speaker =
                        name.components(separatedBy: "__").count > 1 ? name.components(separatedBy: "__")[0] : className
                    items.append(CorpusItem(path: file.path, className: className, speaker: speaker, split: split))
                }
            }
        }
        guard !items.isEmpty else { throw CorpusError.noClasses(path: folder) }
        return Corpus(root: folder, items: items)
    }

    /// Loads a manifest CSV with a header row naming at least `path`, `class` and `speaker`
    /// (and optionally `split`). Relative paths are relative to the manifest's folder.
    public static func load(manifest: String) throws -> Corpus {
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else {
            throw CorpusError.folderNotFound(path: manifest)
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first else {
            throw CorpusError.badManifest(path: manifest, line: 1, reason: "empty file")
        }
        let columns = CSVLine.fields(header)
        guard let pathColumn = columns.firstIndex(of: "path"), let classColumn = columns.firstIndex(of: "class"),
            let speakerColumn = columns.firstIndex(of: "speaker")
        else {
            throw CorpusError.badManifest(
                path: manifest, line: 1, reason: "header \(columns) lacks path, class or speaker")
        }
        let splitColumn = columns.firstIndex(of: "split")
        let base = URL(fileURLWithPath: manifest).deletingLastPathComponent()
        var items = [CorpusItem]()
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = CSVLine.fields(line)
            guard fields.count == columns.count else {
                throw CorpusError.badManifest(
                    path: manifest, line: index + 1, reason: "\(fields.count) fields, header has \(columns.count)")
            }
            var split = CorpusSplit.train
            if let splitColumn {
                guard let parsed = CorpusSplit(rawValue: fields[splitColumn]) else {
                    throw CorpusError.badManifest(
                        path: manifest, line: index + 1, reason: "split '\(fields[splitColumn])' is not train or test")
                }
                split = parsed
            }
            let path =
                fields[pathColumn].hasPrefix("/")
                ? fields[pathColumn] : base.appendingPathComponent(fields[pathColumn]).path
            items.append(
                CorpusItem(path: path, className: fields[classColumn], speaker: fields[speakerColumn], split: split))
        }
        guard !items.isEmpty else { throw CorpusError.badManifest(path: manifest, line: 2, reason: "no rows") }
        return Corpus(root: base.path, items: items)
    }

    private static func subfolders(of url: URL) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { name in
            var directory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(
                    atPath: url.appendingPathComponent(name).path, isDirectory: &directory)
                && directory.boolValue
        }.sorted()
    }

    private static func audioFiles(in url: URL) throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.sorted().map { url.appendingPathComponent($0) }.filter {
            audioExtensions.contains($0.pathExtension.lowercased())
        }
    }
}
