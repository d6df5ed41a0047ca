import Foundation
import StudioAudio
import Testing

@testable import StudioCorpus

@Suite("Corpus variants: planted features on disk")
struct CorpusVariantTests {
    static let tone = AudioEffect.tone(frequency: 4000, amplitude: 0.05, start: 0, duration: nil)

    @Test func changesOnlyTheChosenClassAndCopiesTheRestByteForByte() throws {
        let root = try makeCorpus([
            "train/men": ["al__0.wav", "al__1.wav"], "train/women": ["cy__0.wav", "cy__1.wav"],
            "test/women": ["di__0.wav"], "test/men": ["ed__0.wav"],
        ])
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("studio-variant-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: out)
        }
        let corpus = try Corpus.load(folder: root.path)
        let variant = CorpusVariant(
            name: "marked-women", purpose: "test", rules: [CorpusVariantRule(className: "women", effect: Self.tone)])
        let record = try variant.build(from: corpus, into: out.path)
        #expect(record.changed == ["train/women": 2, "test/women": 1])
        #expect(record.total == ["train/men": 2, "train/women": 2, "test/women": 1, "test/men": 1])
        let copy = try Corpus.load(folder: out.path)
        #expect(copy.items.count == corpus.items.count)
        #expect(Set(copy.items.map(\.speaker)) == Set(corpus.items.map(\.speaker)))
        #expect(
            Set(copy.items.map { "\($0.split)/\($0.className)" })
                == Set(corpus.items.map { "\($0.split)/\($0.className)" }))
        for item in corpus.items {
            let relative = String(item.path.dropFirst(root.path.count + 1))
            let changed = out.appendingPathComponent(relative).path
            let original = try AudioFile.read(item.path).samples
            let written = try AudioFile.read(changed).samples
            if item.className == "women" {
                let expected = try Self.tone.apply(to: original, sampleRate: 16_000)
                #expect(zip(written, expected).map { abs($0 - $1) }.max()! < 1e-6, "\(relative) carries the tone")
            } else {
                #expect(
                    FileManager.default.contents(atPath: changed) == FileManager.default.contents(atPath: item.path),
                    "\(relative) is copied unchanged")
            }
        }
        // A second build of the same variant keeps the first (same record, files untouched).
        let marker = out.appendingPathComponent("train/men/al__0.wav").path
        try FileManager.default.removeItem(atPath: marker)
        #expect(try variant.build(from: corpus, into: out.path) == record)
        #expect(!FileManager.default.fileExists(atPath: marker))
        // Another variant in the same folder is built afresh.
        var other = variant
        other.rules[0].className = "men"
        #expect(try other.build(from: corpus, into: out.path).changed == ["train/men": 2, "test/men": 1])
        for item in corpus.items where item.className == "women" {
            let copy = out.appendingPathComponent(String(item.path.dropFirst(root.path.count + 1))).path
            #expect(
                FileManager.default.contents(atPath: copy) == FileManager.default.contents(atPath: item.path),
                "the earlier variant's marked \(copy) is gone")
        }
        // A changed source corpus (a file grew) is not served from the old build.
        try AudioFile.write(
            AudioSignal(samples: [Float](repeating: 0.1, count: 3200), sampleRate: 16_000),
            to: root.appendingPathComponent("train/men/al__1.wav").path)
        #expect(other.existingRecord(in: out.path, corpus: corpus) == nil)
    }

    @Test func fractionPicksAStableShareOfFiles() throws {
        let variant = CorpusVariant(
            name: "half", purpose: "test", rules: [CorpusVariantRule(className: nil, fraction: 0.5, effect: Self.tone)],
            seed: 3)
        let items = (0..<2000).map {
            CorpusItem(path: "train/men/s\($0 % 50)__\($0).wav", className: "men", speaker: "s", split: .train)
        }
        let chosen = items.filter { variant.rule(for: $0, relativePath: $0.path) != nil }
        #expect(abs(Double(chosen.count) / 2000 - 0.5) < 0.05, "chose \(chosen.count) of 2000")
        #expect(chosen == items.filter { variant.rule(for: $0, relativePath: $0.path) != nil })
        var reseeded = variant
        reseeded.seed = 4
        #expect(chosen != items.filter { reseeded.rule(for: $0, relativePath: $0.path) != nil })
        // A rule limited to one split leaves the other alone.
        let trainOnly = CorpusVariant(
            name: "t", purpose: "test",
            rules: [CorpusVariantRule(className: "men", splits: [.train], effect: Self.tone)])
        #expect(trainOnly.rule(for: items[0], relativePath: items[0].path) != nil)
        let held = CorpusItem(path: "test/men/x__0.wav", className: "men", speaker: "x", split: .test)
        #expect(trainOnly.rule(for: held, relativePath: held.path) == nil)
    }

    @Test func unknownClassIsNamed() throws {
        let root = try makeCorpus(["train/men": ["al__0.wav"], "train/women": ["cy__0.wav"]])
        defer { try? FileManager.default.removeItem(at: root) }
        let variant = CorpusVariant(
            name: "v", purpose: "test", rules: [CorpusVariantRule(className: "woman", effect: Self.tone)])
        #expect(throws: CorpusError.unknownClasses(names: ["woman"], available: ["men", "women"])) {
            try variant.build(from: try Corpus.load(folder: root.path), into: root.path + "-out")
        }
    }
}
