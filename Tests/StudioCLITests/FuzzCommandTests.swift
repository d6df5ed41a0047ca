import Foundation
import Testing

/// Seeded mutations of every kind of file a user hands the studio (WAV, FLAC, Ogg/Vorbis, MP3, a
/// corpus manifest, a listening test's answers and key): each command ends with a message (exit
/// 0, 1 or 64), never a trap, a signal or a hang, and writes nothing but its own output.
@Suite("Fuzzed inputs never crash a command", .serialized)
struct FuzzCommandTests {
    /// A small seeded generator (64-bit LCG, high bits) for the mutations.
    struct Mutator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }

        /// One of: cut short, flip a few bytes, overwrite a window with noise, insert noise, repeat a chunk.
        mutating func mutate(_ data: Data) -> Data {
            var bytes = [UInt8](data)
            switch next(5) {
            case 0:
                bytes = Array(bytes.prefix(next(bytes.count)))
            case 1:
                for _ in 0..<(1 + next(8)) where !bytes.isEmpty { bytes[next(bytes.count)] ^= UInt8(1 + next(255)) }
            case 2:
                let start = next(bytes.count)
                for index in start..<min(bytes.count, start + 16) { bytes[index] = UInt8(next(256)) }
            case 3:
                bytes.insert(contentsOf: (0..<(1 + next(64))).map { _ in UInt8(next(256)) }, at: next(bytes.count + 1))
            default:
                let start = next(bytes.count)
                let chunk = bytes[start..<min(bytes.count, start + 1 + next(256))]
                bytes.insert(contentsOf: chunk, at: next(bytes.count + 1))
            }
            return Data(bytes)
        }
    }

    /// Runs `studio` in `folder` with a time limit; returns the exit status, or nil for a signal or a hang.
    static func run(_ arguments: [String], in folder: URL, limit: TimeInterval = 20) throws -> Int32? {
        let process = Process()
        process.executableURL = StudioCommandRunner.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    @Test func mutatedFilesGetMessagesNotCrashes() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = folder.appendingPathComponent("inputs")
        let work = folder.appendingPathComponent("work")
        for url in [inputs, work] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        var mutator = Mutator(state: 2026)
        var failures = [String]()
        var cases = 0
        func check(_ name: String, _ data: Data, _ arguments: (String) -> [String]) throws {
            let path = inputs.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            let status = try Self.run(arguments(path), in: work)
            cases += 1
            if status.map({ ![0, 1, 64].contains($0) }) ?? true {
                failures.append("\(name): \(status.map { "exit \($0)" } ?? "signal or hang")")
                // Keep the culprit for a look: it stays in the (deleted) folder only on success.
                try? data.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-" + name))
            }
        }

        // Audio: 4 formats x 40 mutations.
        let png = work.appendingPathComponent("out.png").path
        for fixture in [
            "kajongg-female1-16k.wav", "tone-2khz-stereo-22k05.flac", "kajongg-male2-originalcall.ogg",
            "tone-440hz-stereo-44k1.mp3",
        ] {
            let original = try Data(contentsOf: URL(fileURLWithPath: StudioCommandRunner.corpus("audio/" + fixture)))
            for index in 0..<40 {
                try check("\(index)-" + fixture, mutator.mutate(original)) {
                    ["audio", "spectrogram", $0, "--png", png]
                }
            }
        }

        // A corpus manifest, answers and a key (text files): 40 mutations each.
        let clip = StudioCommandRunner.corpus("audio/kajongg-female1-16k.wav")
        let manifest = Data(
            "path,class,speaker,split\n\(clip),women,anna,train\n\(clip),men,bert,test\n\(clip),women,cleo,test\n".utf8)
        let key = Data("clip,kind,source,class\nc1.wav,generated,runA,women\nc2.wav,attention,real,men\n".utf8)
        let answers = Data("listener,clip,answer\nL1,c1.wav,women\nL1,c2.wav,men\nL2,c1.wav,men\n".utf8)
        let keyPath = inputs.appendingPathComponent("key.csv").path
        let answersPath = inputs.appendingPathComponent("answers.csv").path
        try key.write(to: URL(fileURLWithPath: keyPath))
        try answers.write(to: URL(fileURLWithPath: answersPath))
        for index in 0..<40 {
            try check("manifest-\(index).csv", mutator.mutate(manifest)) { ["corpus", "check", $0] }
            try check("answers-\(index).csv", mutator.mutate(answers)) {
                ["listening-test", "score", "--answers", $0, "--key", keyPath]
            }
            try check("key-\(index).csv", mutator.mutate(key)) {
                ["listening-test", "score", "--answers", answersPath, "--key", $0]
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases) crashed or hung: \(failures.prefix(10))")
        #expect(cases == 280)
        // Nothing was written but the spectrogram picture: no stray files in the working folder.
        let written = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0 != "out.png" }
        #expect(written.isEmpty, "unexpected files: \(written)")
    }
}
