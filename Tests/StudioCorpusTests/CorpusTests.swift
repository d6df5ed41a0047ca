import Foundation
import StudioAudio
import Testing

@testable import StudioCorpus

/// A temporary class-folder corpus of short tones.
func makeCorpus(_ layout: [String: [String]], splits: Bool = true) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("studio-corpus-\(UUID().uuidString)")
    for (folder, names) in layout {
        let url = root.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for name in names {
            let tone = (0..<1600).map { Float(sin(Double($0) * 0.1)) * 0.3 }
            try AudioFile.write(
                AudioSignal(samples: tone, sampleRate: 16_000), to: url.appendingPathComponent(name).path)
        }
    }
    return root
}

@Suite("Corpora and the target-absence guarantee")
struct CorpusTests {
    @Test func loadsClassFoldersWithSplitsAndSpeakers() throws {
        let root = try makeCorpus([
            "train/men": ["alice__0.wav", "bob__0.wav", "bob__1.wav"], "train/women": ["carol__0.wav"],
            "test/women": ["dana__0.wav"], "train/nonhuman": ["dog.wav"],
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let corpus = try Corpus.load(folder: root.path)
        #expect(corpus.classNames == ["men", "nonhuman", "women"])
        #expect(corpus.items(in: .test).map(\.speaker) == ["dana"])
        #expect(corpus.items.first { $0.path.hasSuffix("dog.wav") }?.speaker == "nonhuman")
        #expect(throws: CorpusError.unknownClasses(names: ["woman"], available: ["men", "nonhuman", "women"])) {
            try corpus.validate(classNames: ["woman"])
        }
    }

    @Test func manifestCSVAndItsErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "studio-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.csv").path
        try "path,class,speaker,split\na.wav,men,\"Smith, J\",train\n/abs/b.wav,women,ann,test\n".write(
            toFile: good, atomically: true, encoding: .utf8)
        let corpus = try Corpus.load(manifest: good)
        #expect(corpus.items.map(\.speaker) == ["Smith, J", "ann"])
        #expect(corpus.items[0].path == folder.appendingPathComponent("a.wav").path)
        #expect(corpus.items[1].split == .test)
        let bad = folder.appendingPathComponent("bad.csv").path
        try "file,label\nx.wav,men\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: CorpusError.self) { try Corpus.load(manifest: bad) }
        let badSplit = folder.appendingPathComponent("split.csv").path
        try "path,class,speaker,split\nx.wav,men,a,validation\n".write(
            toFile: badSplit, atomically: true, encoding: .utf8)
        let error = try #require(throws: CorpusError.self) { try Corpus.load(manifest: badSplit) }
        #expect(error.description.contains("split.csv:2"))
    }

    @Test func emptyClassFoldersAndMissingFoldersAreNamed() throws {
        let root = try makeCorpus(["men": ["a.wav"], "women": []])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = try #require(throws: CorpusError.self) { try Corpus.load(folder: root.path) }
        #expect(error == .emptyClass(name: "women", path: root.appendingPathComponent("women").path))
        #expect(throws: CorpusError.folderNotFound(path: "/no/such/corpus")) {
            try Corpus.load(folder: "/no/such/corpus")
        }
        let textOnly = try makeCorpus(["men": []])
        defer { try? FileManager.default.removeItem(at: textOnly) }
        try "notes".write(
            toFile: textOnly.appendingPathComponent("men/readme.txt").path, atomically: true, encoding: .utf8)
        #expect(throws: CorpusError.self) { try Corpus.load(folder: textOnly.path) }
    }

    @Test func globsMatchFoldersAtAnyDepth() throws {
        let root = try makeCorpus(["a/b/c": ["x_desc_fr.wav", "y.wav"], "a": ["z_desc_fr.wav"]])
        defer { try? FileManager.default.removeItem(at: root) }
        let found = FileGlob.files(under: root.path, matching: "a/**/*_desc_fr.wav").map {
            URL(fileURLWithPath: $0).lastPathComponent
        }
        #expect(found == ["x_desc_fr.wav", "z_desc_fr.wav"])
        #expect(FileGlob.files(under: root.path, matching: "a/*.wav").count == 1)
        #expect(FileGlob.regexBody("x/**/*.o?g") == #"x\/(?:.*/)?[^/]*\.o[^/]g"#)
    }

    @Test func clipCutterPadsShortFilesAndWindowsLongOnes() {
        let short = [Float](repeating: 0.5, count: 8000)
        let clips = ClipCutter.clips(from: short, length: 16_128, speech: true, maximumWindows: nil)
        #expect(clips.count == 1 && clips[0].samples.count == 16_128)
        #expect(clips[0].samples[0] == 0 && abs(clips[0].samples[8064] - 0.89) < 1e-6)
        let long = (0..<80_000).map { Float(sin(Double($0) * 0.05)) * 0.4 }
        let windows = ClipCutter.clips(from: long, length: 16_128, speech: false, maximumWindows: 3)
        #expect(windows.count == 3)
        #expect(windows.map(\.offset) == [0, 16_128, 32_256])
        #expect(
            ClipCutter.clips(
                from: [Float](repeating: 0, count: 20_000), length: 16_128, speech: true, maximumWindows: nil
            ).isEmpty)
    }

    /// YIN on a 150 Hz harmonic tone, and on the real female and male kajongg clips.
    @Test func pitchEstimates() throws {
        let tone = (0..<16_000).map { index -> Float in
            let t = Double(index) / 16_000
            return Float(0.5 * sin(2 * .pi * 150 * t) + 0.25 * sin(2 * .pi * 300 * t) + 0.1 * sin(2 * .pi * 450 * t))
        }
        let summary = PitchEstimator.summary(tone)
        #expect(abs((summary.medianF0 ?? 0) - 150) < 2 && summary.voicedFraction > 0.9)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let female = try AudioFile.read(
            root.appendingPathComponent("Corpora/audio/kajongg-female1-dangerousgame.ogg").path)
        let male = try AudioFile.read(root.appendingPathComponent("Corpora/audio/kajongg-male2-originalcall.ogg").path)
        let femaleF0 = try #require(PitchEstimator.summary(female.samples).medianF0)
        let maleF0 = try #require(PitchEstimator.summary(male.samples).medianF0)
        #expect(femaleF0 > 160 && maleF0 < 150, "female \(femaleF0) Hz, male \(maleF0) Hz")
        #expect(PitchEstimator.summary([Float](repeating: 0, count: 16_000)).medianF0 == nil)
    }
}
