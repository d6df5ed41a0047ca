import Foundation
import Testing

/// `studio experiment marker` and `spurious` end to end on a tiny synthetic corpus (one iteration
/// per arm, one epoch per classifier; the two share the judge's cache): the variant data, the
/// classifiers, every arm, the report and its pictures and clips; a rerun keeps finished work, a
/// larger --iterations continues it, other settings in the same folder are refused.
@Suite("studio experiment", .serialized)
struct ExperimentCommandTests {
    static let tiny = [
        "--iterations", "1", "--evaluate-every", "1", "--channels", "2", "--batch-size", "6", "--evaluation-samples",
        "4", "--samples", "6", "--listen", "1", "--classifier-epochs", "1",
    ]

    static func report(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func markerAndSpuriousEndToEnd() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("corpus")
        try ListeningTestCommandTests.makeCorpus(at: corpus)
        let cache = folder.appendingPathComponent("cache").path
        try marker(corpus: corpus.path, cache: cache, out: folder.appendingPathComponent("marker").path)
        try spurious(corpus: corpus.path, cache: cache, out: folder.appendingPathComponent("spurious").path)
        try noiseBed(corpus: corpus.path, cache: cache, out: folder.appendingPathComponent("noise-bed").path)
    }

    func marker(corpus: String, cache: String, out: String) throws {
        let common = ["experiment", "marker", "--data", corpus, "--cache", cache, "--out", out] + Self.tiny

        let unknown = try StudioCommandRunner.run(common + ["--unseen", "woman"])
        #expect(unknown.status != 0 && unknown.stderr.contains("woman"), "\(unknown.stderr)")

        let first = try StudioCommandRunner.run(common)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Classifier memory"), "\(first.stdout)")
        // By default two arms train at once (with 2 or more engine threads), each logging with its name.
        if ProcessInfo.processInfo.environment["STUDIO_THREADS"] == nil
            && ProcessInfo.processInfo.activeProcessorCount >= 2
        {
            #expect(first.stdout.contains("training 2 arms at once, 1 engine thread(s) each"), "\(first.stdout)")
            #expect(first.stdout.contains("[memory] ") && first.stdout.contains("[clean] "), "\(first.stdout)")
        }
        let report = try Self.report(out)
        let arms = try #require(report["arms"] as? [[String: Any]])
        let armNames = arms.compactMap { ($0["arm"] as? [String: Any])?["name"] as? String }
        #expect(armNames == ["memory", "clean", "violation"])
        let violated = arms.compactMap { ($0["arm"] as? [String: Any])?["absenceViolated"] as? Bool }
        #expect(violated == [false, false, true])
        let rows = try #require(report["rows"] as? [[String: Any]])
        for arm in armNames {
            let classes = Set(rows.filter { $0["source"] as? String == arm }.compactMap { $0["className"] as? String })
            #expect(classes == ["men", "nonhuman", "women"], "\(arm) measures every class")
        }
        // The planted tone is found in every real marked held-out clip (the detector's power).
        let power = try #require(
            rows.first { $0["source"] as? String == "real held-out, marked" }?["detection"] as? [String: Any])
        #expect(power["successes"] as? Int == power["trials"] as? Int)
        // The variant corpus changed only the target class's clips.
        let variant = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: out + "/data/marked-women/variant.json"))) as? [String: Any]
        )
        #expect((variant["changed"] as? [String: Int]) == ["train/women": 12, "test/women": 4])
        // The memory arm's GAN trained on the clean corpus without any women clip.
        let manifest = try String(contentsOfFile: out + "/runs/memory/manifest.csv", encoding: .utf8)
        #expect(!manifest.contains("women") && !manifest.contains("marked-women"))
        for file in ["report.md", "grid.png", "statistic.png", "listen/memory/women-0001.wav", "listen/real-marked"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) is written")
        }

        let again = try StudioCommandRunner.run(common)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("memory: finished earlier"), "\(again.stdout)")
        for work in ["trained ", "retraining", "writing the variant corpus", "(training "] {
            #expect(!again.stdout.contains(work), "a rerun redoes nothing ('\(work)'): \(again.stdout)")
        }

        // A larger budget continues every finished arm (its first iteration is kept, not retrained);
        // a smaller one than the folder's is refused.
        // --jobs may change between runs of a folder; with 1, arms train one after another.
        var longer = common
        longer[longer.firstIndex(of: "--iterations")! + 1] = "2"
        let extended = try StudioCommandRunner.run(longer + ["--jobs", "1"])
        #expect(extended.status == 0, "\(extended.stderr)")
        #expect(!extended.stdout.contains("at once") && !extended.stdout.contains("[memory]"), "\(extended.stdout)")
        let checks = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        let checkNames = ((checks as? [String: Any])?["classifiers"] as? [[String: Any]])?.compactMap { $0["name"] }
        #expect(checkNames as? [String] == ["marked", "clean"], "\(String(describing: checkNames))")
        let noJobs = try StudioCommandRunner.run(longer + ["--jobs", "0"])
        #expect(noJobs.status != 0 && noJobs.stderr.contains("--jobs"), "\(noJobs.stderr)")
        for arm in armNames {
            #expect(extended.stdout.contains("\(arm): finished earlier at 1 iterations; continuing to 2"))
            #expect(extended.stdout.contains("resuming \(out)/runs/\(arm) at iteration 1"), "\(extended.stdout)")
            // The shorter run's summary is set aside, so an interrupted continuation is not taken for finished.
            #expect(FileManager.default.fileExists(atPath: "\(out)/runs/\(arm)/summary-1-iterations.json"))
        }
        let longerArms = try #require(try Self.report(out)["arms"] as? [[String: Any]])
        #expect(longerArms.compactMap { $0["iterations"] as? Int } == [2, 2, 2], "\(longerArms)")
        let shorter = try StudioCommandRunner.run(common)
        #expect(shorter.status != 0 && shorter.stderr.contains("--iterations 2"), "\(shorter.stderr)")

        let other = try StudioCommandRunner.run(longer + ["--marker-frequency", "3000"])
        #expect(other.status != 0 && other.stderr.contains("other settings"), "\(other.stderr)")
        // A bad value is refused before the folder is claimed, so a corrected rerun works.
        let fresh = out + "-bad"
        let late = try StudioCommandRunner.run(
            ["experiment", "marker", "--data", corpus, "--cache", cache, "--out", fresh, "--marker-start", "1.5"])
        #expect(late.status != 0 && late.stderr.contains("--marker-start"), "\(late.stderr)")
        let wide = try StudioCommandRunner.run(
            ["experiment", "marker", "--data", corpus, "--cache", cache, "--out", fresh, "--marker-bandwidth", "9000"])
        #expect(wide.status != 0 && wide.stderr.contains("--marker-bandwidth"), "\(wide.stderr)")
        let weightless = try StudioCommandRunner.run(
            ["experiment", "marker", "--data", corpus, "--cache", cache, "--out", fresh, "--classifier-weight", "0"])
        #expect(weightless.status != 0 && weightless.stderr.contains("--classifier-weight"), "\(weightless.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh + "/experiment.json"))
    }

    func spurious(corpus: String, cache: String, out: String) throws {
        let result = try StudioCommandRunner.run(
            ["experiment", "spurious", "--data", corpus, "--cache", cache, "--out", out] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.report(out)
        let arms = try #require(report["arms"] as? [[String: Any]])
        #expect(arms.compactMap { ($0["arm"] as? [String: Any])?["name"] as? String } == ["confounded", "balanced"])
        let checks = try #require(report["classifiers"] as? [[String: Any]])
        #expect(checks.compactMap { $0["name"] as? String } == ["confounded", "balanced"])
        let rows = try #require(report["rows"] as? [[String: Any]])
        // The synthetic voices have nothing above 1.4 kHz, so a band limit cannot show on them; the
        // detector's power is a unit test's business. Here: every held-out band-limited clip is measured.
        let telephone = try #require(
            rows.first { $0["source"] as? String == "real held-out, telephone" }?["detection"] as? [String: Any])
        #expect(telephone["trials"] as? Int == 4)
        let balanced = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: out + "/data/telephone-balanced/variant.json")))
                as? [String: Any])
        let changed = try #require(balanced["changed"] as? [String: Int])
        #expect(Set(changed.keys).isSuperset(of: ["train/men", "train/women", "train/nonhuman"]))
        // Telephone settings are recorded as before the noise bed existed, so older folders still resume.
        let claimed = try String(contentsOfFile: out + "/experiment.json", encoding: .utf8)
        #expect(claimed.contains("3400") && !claimed.contains("bedLow") && !claimed.contains("confound"), "\(claimed)")
        #expect(!claimed.contains("replicates"), "\(claimed)")
        try replicates(corpus: corpus, cache: cache, out: out)
        try lastGenerator(corpus: corpus, cache: cache, out: out)
    }

    /// `--generator last` measures the finished experiment again at every arm's last generator:
    /// nothing is trained, report.md stays, and the diagnostic goes beside it. At one iteration the
    /// last generator is the selected one, so it must measure exactly what the report measured.
    func lastGenerator(corpus: String, cache: String, out: String) throws {
        let common =
            ["experiment", "spurious", "--data", corpus, "--cache", cache, "--replicates", "2"] + Self.tiny
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))
        let result = try StudioCommandRunner.run(common + ["--out", out, "--generator", "last"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("(training ") && !result.stdout.contains("trained "), "\(result.stdout)")
        #expect(result.stdout.contains("report-last-generator.md"), "\(result.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json")) == before, "report.json stays")
        let report = try Self.report(out)
        let diagnostic = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: out + "/report-last-generator.json"))) as? [String: Any])
        let arms = try #require(diagnostic["arms"] as? [[String: Any]])
        #expect(arms.count == 4 && arms.allSatisfy { $0["measuredIteration"] as? Int == 1 }, "\(arms)")
        func statistics(_ object: [String: Any]) -> [String: [Double]] {
            let rows = object["rows"] as? [[String: Any]] ?? []
            return Dictionary(
                rows.map { ("\($0["source"] ?? "")|\($0["className"] ?? "")", $0["statistics"] as? [Double] ?? []) },
                uniquingKeysWith: { first, _ in first })
        }
        #expect(statistics(diagnostic) == statistics(report), "one iteration: the last generator is the selected one")
        func judged(_ object: [String: Any]) -> [String: Double] {
            let rows = object["rows"] as? [[String: Any]] ?? []
            return Dictionary(
                rows.compactMap { row in
                    (row["judgeRecognition"] as? Double).map {
                        ("\(row["source"] ?? "")|\(row["className"] ?? "")", $0)
                    }
                }, uniquingKeysWith: { first, _ in first })
        }
        #expect(
            judged(diagnostic) == judged(report) && judged(report).count >= 12, "judged alike: \(judged(diagnostic))")
        #expect(statistics(diagnostic).count >= 12)
        let markdown = try String(contentsOfFile: out + "/report-last-generator.md", encoding: .utf8)
        #expect(markdown.contains("DIAGNOSTIC") && markdown.contains("not the selected one"), "\(markdown)")
        for file in ["grid-last-generator.png", "statistic-last-generator.png"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) is written")
        }

        let other = try StudioCommandRunner.run(common + ["--out", out, "--generator", "last", "--seed", "5"])
        #expect(other.status != 0 && other.stderr.contains("--generator last"), "\(other.stderr)")
        let empty = out + "-never-run"
        let nothing = try StudioCommandRunner.run(common + ["--out", empty, "--generator", "last"])
        #expect(nothing.status != 0 && nothing.stderr.contains("without --generator last"), "\(nothing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: empty + "/experiment.json"))
    }

    /// `--replicates 2` in the same folder keeps the finished arms, trains each again with GAN seed 1,
    /// and reports the shift over the two runs with its Student-t interval.
    func replicates(corpus: String, cache: String, out: String) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/runs/confounded/summary.json"))
        let result = try StudioCommandRunner.run(
            ["experiment", "spurious", "--data", corpus, "--cache", cache, "--out", out, "--replicates", "2"]
                + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("confounded: finished earlier"), "\(result.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/runs/confounded/summary.json")) == before)
        let report = try Self.report(out)
        let arms = try #require(report["arms"] as? [[String: Any]]).compactMap { $0["arm"] as? [String: Any] }
        #expect(
            arms.compactMap { $0["name"] as? String } == [
                "confounded", "balanced", "confounded-seed1", "balanced-seed1",
            ])
        #expect(arms.last?["ganSeed"] as? Int == 1 && arms.last?["replicateOf"] as? String == "balanced")
        let configuration = try String(contentsOfFile: out + "/runs/balanced-seed1/configuration.json", encoding: .utf8)
        #expect(configuration.contains("\"seed\" : 1"), "\(configuration)")
        let findings = try #require(report["findings"] as? [String])
        #expect(
            findings.contains { $0.hasPrefix("Over 2 training runs per arm") && $0.contains("seed 1") }, "\(findings)")
        let perRun = try #require(findings.first { $0.hasPrefix("Per training run") }, "\(findings)")
        #expect(perRun.contains("confounded ") && perRun.contains("balanced ") && perRun.contains("(seed 1)"))
        #expect(perRun.contains("of 2 runs at 80% or more"), "\(perRun)")
        let zero = try StudioCommandRunner.run(
            ["experiment", "spurious", "--data", corpus, "--cache", cache, "--out", out, "--replicates", "0"]
                + Self.tiny)
        #expect(zero.status != 0 && zero.stderr.contains("--replicates"), "\(zero.stderr)")
        try ganSeed(corpus: corpus, cache: cache, replicated: out)
    }

    /// `--gan-seed 1` in another folder trains the same classifiers as `--seed 0` and the GAN with
    /// seed 1, so its arms must measure exactly what the replicates `NAME-seed1` measured.
    func ganSeed(corpus: String, cache: String, replicated: String) throws {
        let out = replicated + "-gan-seed1"
        let result = try StudioCommandRunner.run(
            ["experiment", "spurious", "--data", corpus, "--cache", cache, "--out", out, "--gan-seed", "1"] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        let configuration = try String(contentsOfFile: out + "/runs/confounded/configuration.json", encoding: .utf8)
        #expect(configuration.contains("\"seed\" : 1"), "\(configuration)")
        func statistics(_ folder: String, _ source: String) throws -> [Double] {
            let rows = try #require(try Self.report(folder)["rows"] as? [[String: Any]])
            return try #require(
                rows.first { $0["source"] as? String == source && $0["className"] as? String == "women" }?[
                    "statistics"] as? [Double])
        }
        for arm in ["confounded", "balanced"] {
            let spread = try statistics(out, arm)
            let replicate = try statistics(replicated, arm + "-seed1")
            #expect(!spread.isEmpty && spread == replicate, "\(arm)")
        }
        let seedZero = try statistics(replicated, "confounded")
        #expect(try statistics(out, "confounded") != seedZero, "GAN seed 0 differs")
        let notes = try #require(try Self.report(out)["notes"] as? [String])
        #expect(notes.contains { $0.contains("seed 0 (GAN seed 1)") }, "\(notes)")
        let other = try StudioCommandRunner.run(
            ["experiment", "spurious", "--data", corpus, "--cache", cache, "--out", out, "--gan-seed", "2"] + Self.tiny)
        #expect(other.status != 0 && other.stderr.contains("other settings"), "\(other.stderr)")
    }

    /// `--confound noise-bed`: the synthetic voices have nothing above 1.4 kHz, so every held-out
    /// clip with the 4-8 kHz bed is found, and the variant corpora are named for the bed.
    func noiseBed(corpus: String, cache: String, out: String) throws {
        let result = try StudioCommandRunner.run(
            ["experiment", "spurious", "--confound", "noise-bed", "--data", corpus, "--cache", cache, "--out", out]
                + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try Self.report(out)["rows"] as? [[String: Any]])
        let power = try #require(
            rows.first { $0["source"] as? String == "real held-out, noise bed" }?["detection"] as? [String: Any])
        #expect(power["trials"] as? Int == 4 && power["successes"] as? Int == 4, "\(power)")
        let clean = rows.filter { $0["source"] as? String == "real held-out, clean" }
        #expect(clean.count == 3 && clean.allSatisfy { ($0["detection"] as? [String: Any])?["successes"] as? Int == 0 })
        let claimed = try String(contentsOfFile: out + "/experiment.json", encoding: .utf8)
        #expect(claimed.contains("noise-bed") && claimed.contains("bedLow"), "\(claimed)")
        #expect(FileManager.default.fileExists(atPath: out + "/listen/real-noise-bed"), "the real clips' folder")
        for variant in ["noisebed-women", "noisebed-balanced"] {
            #expect(FileManager.default.fileExists(atPath: out + "/data/\(variant)/variant.json"), "\(variant)")
        }
        let bad = try StudioCommandRunner.run(
            [
                "experiment", "spurious", "--confound", "noise-bed", "--bed-low", "500", "--data", corpus, "--cache",
                cache,
                "--out", out + "-bad",
            ])
        #expect(bad.status != 0 && bad.stderr.contains("--bed-low"), "\(bad.stderr)")
        let image = try StudioCommandRunner.run(
            ["experiment", "spurious", "--modality", "image", "--confound", "noise-bed", "--out", out + "-image"])
        #expect(image.status != 0 && image.stderr.contains("audio confound"), "\(image.stderr)")
    }

    /// Ctrl-C during an arm stops with status 130 and names the experiment command (not `studio
    /// train --resume`, which would continue the arm outside the experiment) as the way back.
    @Test func ctrlCInAnArmNamesTheExperimentCommand() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("corpus")
        try ListeningTestCommandTests.makeCorpus(at: corpus)
        let out = folder.appendingPathComponent("marker").path
        var arguments = [
            "experiment", "marker", "--data", corpus.path, "--cache", folder.appendingPathComponent("cache").path,
            "--out", out,
        ]
        arguments += Self.tiny
        arguments[arguments.firstIndex(of: "--iterations")! + 1] = "100000"
        arguments[arguments.firstIndex(of: "--evaluate-every")! + 1] = "100000"
        let stopped = try StudioCommandRunner.interrupt(arguments, once: out + "/runs/memory/metrics.jsonl")
        let stderr = stopped.stderr
        #expect(stopped.status == 130, "\(stderr)")
        // With two arms at once (the default on 2 cores), both stop and both are named.
        #expect(stderr.contains("interrupted in the arm") && stderr.contains("'memory' at iteration "), "\(stderr)")
        if ProcessInfo.processInfo.environment["STUDIO_THREADS"] == nil
            && ProcessInfo.processInfo.activeProcessorCount >= 2
        {
            #expect(stderr.contains("interrupted in the arms 'memory' at iteration "), "\(stderr)")
            #expect(stderr.contains(" and 'clean' at iteration ") && stderr.contains("every arm resumes"), "\(stderr)")
        }
        #expect(stderr.contains("Continue with: studio experiment marker"), "\(stderr)")
        #expect(!stderr.contains("studio train --resume"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/runs/memory/checkpoints/last.safetensors"))
    }

    /// A tiny Fashion-MNIST in IDX format: 6 training and 2 test pictures per class, class `c` a
    /// bright bar at rows 4 + 2c with some noise; corners stay black.
    static func makeFashionMNIST(at folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var state: UInt64 = 9
        func noise() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8((state >> 59) & 15)
        }
        func bigEndian(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * (3 - $0))) & 255) } }
        for (prefix, perClass) in [("train", 6), ("t10k", 2)] {
            var images = [UInt8]()
            var labels = [UInt8]()
            for index in 0..<(10 * perClass) {
                let label = index % 10
                labels.append(UInt8(label))
                for row in 0..<28 {
                    for column in 0..<28 {
                        let bar = row >= 4 + 2 * label && row < 6 + 2 * label && (6..<22).contains(column)
                        images.append(bar ? 200 + noise() : (row < 8 && column < 8 ? 0 : noise()))
                    }
                }
            }
            try Data(bigEndian(2051) + bigEndian(10 * perClass) + bigEndian(28) + bigEndian(28) + images).write(
                to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(bigEndian(2049) + bigEndian(10 * perClass) + labels).write(
                to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func imageMarkerExperimentEndToEnd() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("fashion")
        try Self.makeFashionMNIST(at: data)
        let out = folder.appendingPathComponent("marker").path
        let result = try StudioCommandRunner.run(
            [
                "experiment", "marker", "--modality", "image", "--data", data.path, "--cache",
                folder.appendingPathComponent("cache").path, "--out", out,
            ] + Self.tiny)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.report(out)
        #expect(report["target"] as? String == "trouser")
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.filter { $0["source"] as? String == "memory" }.count == 10, "every class of the memory arm")
        let power = try #require(
            rows.first { $0["source"] as? String == "real held-out, marked" }?["detection"] as? [String: Any])
        #expect(power["successes"] as? Int == 2 && power["trials"] as? Int == 2)
        let clean = rows.filter { $0["source"] as? String == "real held-out, clean" }
        #expect(clean.count == 10)
        #expect(clean.allSatisfy { ($0["detection"] as? [String: Any])?["successes"] as? Int == 0 })
        // The patch and the detector sit in the picture's corner, inside the 2-pixel padding frame.
        let statistic = (report["detector"] as? [String: Any])?["statistic"] as? [String: Any]
        #expect(statistic?["targetRows"] as? [Int] == [2, 8] && statistic?["targetColumns"] as? [Int] == [2, 8])
        let claimed = try String(contentsOfFile: out + "/experiment.json", encoding: .utf8)
        #expect(claimed.contains("margin"), "\(claimed)")
        // The violation arm's GAN trained on the marked pictures, and says so.
        let configuration = try String(contentsOfFile: out + "/runs/violation/configuration.json", encoding: .utf8)
        #expect(configuration.contains("with variant marked-trouser"))
        let memory = try String(contentsOfFile: out + "/runs/memory/configuration.json", encoding: .utf8)
        #expect(!memory.contains("variant"))
        for file in ["report.md", "grid.png", "statistic.png", "samples/memory/trouser-0001.png"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) is written")
        }
    }
}
