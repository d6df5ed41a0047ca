import Foundation
import StudioAudio
import Testing

/// The pages people open, end to end in real headless Chromium: a tiny audio run;
/// `studio listening-test export`, its page (clips play, answers survive a reload, the CSV
/// exports) and `studio listening-test score` on that CSV; `studio report` (pictures decode, clips
/// play, nothing is fetched from outside the file).
@Suite("studio listening-test and report in a real browser", .serialized)
struct ListeningTestCommandTests {
    /// Men: a 120 Hz harmonic stack; women: 230 Hz; nonhuman: noise bursts. Three training speakers
    /// and one held-out speaker per class.
    static func makeCorpus(at root: URL) throws {
        var state: UInt64 = 5
        func noise() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
        let rate = 16_000
        for (split, speakers) in [("train", ["a", "b", "d"]), ("test", ["c"])] {
            for className in ["men", "women", "nonhuman"] {
                let folder = root.appendingPathComponent("\(split)/\(className)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (speakerIndex, speaker) in speakers.enumerated() {
                    for clip in 0..<4 {
                        let f0 = (className == "men" ? 120.0 : 230.0) * (1 + 0.03 * Double(speakerIndex + clip))
                        let samples: [Float] = (0..<(rate * 11 / 10)).map { index in
                            let t = Double(index) / Double(rate)
                            if className == "nonhuman" { return 0.3 * noise() * Float(index % 4000 < 2000 ? 1 : 0.2) }
                            var sum = 0.0
                            for harmonic in 1...6 {
                                let h = Double(harmonic)
                                sum += 0.15 / h * sin(2 * Double.pi * f0 * h * t)
                            }
                            return Float(sum)
                        }
                        try AudioFile.write(
                            AudioSignal(samples: samples, sampleRate: rate),
                            to: folder.appendingPathComponent("\(className)-\(speaker)__\(clip).wav").path)
                    }
                }
            }
        }
    }

    /// Runs a page check script of `Tests/Browser` with Debian's python3; returns its stderr on failure.
    static func browserCheck(_ script: String, _ arguments: [String]) throws -> (status: Int32, errors: String) {
        let driver = StudioCommandRunner.repositoryRoot.appendingPathComponent("Tests/Browser/\(script)")
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        browser.arguments = [driver.path] + arguments
        let errors = Pipe()
        browser.standardError = errors
        browser.standardOutput = Pipe()
        try browser.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        return (browser.terminationStatus, text)
    }

    @Test func exportPlayInChromiumScoreAndReport() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("corpus")
        try Self.makeCorpus(at: corpus)
        let cache = folder.appendingPathComponent("cache").path
        let run = folder.appendingPathComponent("secret-run-name").path
        let trained = try StudioCommandRunner.run([
            "train", "--unseen", "women", "--data", corpus.path, "--cache", cache, "--classifier", "regular",
            "--iterations", "1", "--batch-size", "6", "--channels", "2", "--evaluation-samples", "4",
            "--summary-samples", "6", "--out", run,
        ])
        #expect(trained.status == 0, "\(trained.stderr)")

        let test = folder.appendingPathComponent("test").path
        let export = try StudioCommandRunner.run([
            "listening-test", "export", "--run", run, "--per-class", "2", "--controls", "1", "--attention-checks", "2",
            "--out", test, "--data", corpus.path, "--cache", cache, "--seed", "3", "--json",
        ])
        #expect(export.status == 0, "\(export.stderr)")
        let key = test + ".key.csv"
        #expect(FileManager.default.fileExists(atPath: key))
        // Exporting again into the same folder (another seed) would replace the key: refused, key kept.
        let keyBytes = FileManager.default.contents(atPath: key)
        let again = try StudioCommandRunner.run([
            "listening-test", "export", "--run", run, "--per-class", "2", "--out", test, "--data", corpus.path,
            "--cache", cache, "--seed", "4",
        ])
        #expect(again.status != 0 && again.stderr.contains("already exported"), "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: key) == keyBytes)
        let page = try String(contentsOfFile: test + "/index.html", encoding: .utf8)
        // The page names clips only: no run, no kind of clip.
        for leak in ["generated", "attention", "secret-run-name", ",real", "\"real\""] {
            #expect(!page.contains(leak), "the page gives away '\(leak)'")
        }
        let keyLines = try String(contentsOfFile: key, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(keyLines.count == 6 + 3 + 2)
        // Answer every clip with its true class, except the generated women clips: "unsure".
        var answers = [String: String]()
        for line in keyLines {
            let fields = line.split(separator: ",").map(String.init)
            answers[fields[0]] = fields[1] == "generated" && fields[3] == "women" ? "unsure" : fields[3]
        }
        let answersJSON = folder.appendingPathComponent("answers.json")
        try JSONSerialization.data(withJSONObject: answers).write(to: answersJSON)
        let csv = folder.appendingPathComponent("answers.csv").path
        let pageCheck = try Self.browserCheck("check_listening_page.py", [test + "/index.html", answersJSON.path, csv])
        #expect(pageCheck.status == 0, "headless Chromium check of the listening page failed: \(pageCheck.errors)")

        let scored = try StudioCommandRunner.run([
            "listening-test", "score", "--answers", csv, "--key", key, "--out",
            folder.appendingPathComponent("score").path,
            "--json",
        ])
        #expect(scored.status == 0, "\(scored.stderr)")
        let scoreReport = try #require(
            try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        let rows = try #require(scoreReport["recognition"] as? [[String: Any]])
        func rate(_ kind: String, _ trueClass: String) -> Double? {
            let row = rows.first { $0["kind"] as? String == kind && $0["trueClass"] as? String == trueClass }
            return (row?["recognition"] as? [String: Any])?["rate"] as? Double
        }
        #expect(rate("generated", "women") == 0)
        #expect(rate("generated", "men") == 1)
        #expect(rate("control", "women") == 1)
        let listeners = try #require(scoreReport["listeners"] as? [[String: Any]])
        #expect(listeners.count == 1 && listeners[0]["kept"] as? Bool == true && listeners[0]["checks"] as? Int == 2)

        // Answers from another test are refused with the clip and the line named.
        let stranger = folder.appendingPathComponent("stranger.csv").path
        try "listener,clip,answer\nx,clip-9999.wav,men\n".write(toFile: stranger, atomically: true, encoding: .utf8)
        let refused = try StudioCommandRunner.run(["listening-test", "score", "--answers", stranger, "--key", key])
        #expect(refused.status != 0 && refused.stderr.contains("clip-9999.wav"), "\(refused.stderr)")

        // The acoustic verdict; the report below shows it.
        try EvaluateCommandChecks.acousticVerdict(run: run, corpus: corpus, cache: cache)

        // The run's report is one self-contained page, the acoustic verdict included.
        let reported = try StudioCommandRunner.run(["report", "--run", run])
        #expect(reported.status == 0, "\(reported.stderr)")
        let report = try Self.browserCheck("check_report_page.py", [run + "/report.html"])
        #expect(report.status == 0, "headless Chromium check of the report failed: \(report.errors)")
        let reportPage = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        #expect(reportPage.contains("Acoustic verdict") && reportPage.contains("F0 histograms per class"))
        #expect(reportPage.contains("Judge panel") && reportPage.contains("judge-residual-narrow"))
    }
}
