import Foundation
import StudioImage
import StudioNN
import StudioTensor
import Testing

/// `studio train` and `studio render` end to end on a tiny PNG class folder (seconds, not minutes).
@Suite("studio train | render on a tiny image folder", .serialized)
struct TrainCommandTests {
    /// Three classes of 32x32 pictures: a bright top half, a bright left half, a bright centre.
    static func makeDataset(at root: URL) throws {
        var state: UInt64 = 9
        func noise() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 60) * 3
        }
        let rules: [String: (Int, Int) -> Bool] = [
            "top": { _, y in y < 16 }, "left": { x, _ in x < 16 },
            "centre": { x, y in abs(x - 16) < 8 && abs(y - 16) < 8 },
        ]
        for (split, count) in [("train", 12), ("test", 4)] {
            for (name, rule) in rules {
                let folder = root.appendingPathComponent("\(split)/\(name)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for index in 0..<count {
                    var image = RGBImage(width: 32, height: 32, fill: .black)
                    for y in 0..<32 {
                        for x in 0..<32 {
                            let level = UInt8((rule(x, y) ? 200 : 30) + noise())
                            image[x, y] = RGB(level, level, level)
                        }
                    }
                    try PNGFile.write(image, to: folder.appendingPathComponent("\(index).png").path)
                }
            }
        }
    }

    @Test func trainResumeAndRender() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try Self.makeDataset(at: data)
        let cache = folder.appendingPathComponent("cache").path
        let run = folder.appendingPathComponent("run").path
        let common = ["--modality", "image", "--dataset", "folder", "--data", data.path, "--cache", cache]
        let tiny = [
            "--batch-size", "6", "--evaluate-every", "2", "--summary-samples", "6", "--patience", "0", "--channels",
            "2",
            "--evaluation-samples", "4",
        ]

        // Errors come before any training.
        let unknown = try StudioCommandRunner.run(["train", "--unseen", "women"] + common + ["--out", run])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown class \"women\""), "\(unknown.stderr)")
        let all = try StudioCommandRunner.run(["train", "--unseen", "top,left,centre"] + common + ["--out", run])
        #expect(all.status != 0 && all.stderr.contains("every class"), "\(all.stderr)")

        let first = try StudioCommandRunner.run(
            ["train", "--unseen", "centre", "--classifier", "regular", "--iterations", "2", "--out", run] + common
                + tiny)
        #expect(first.status == 0, "\(first.stderr)")
        for file in [
            "configuration.json", "manifest.csv", "manifest.json", "metrics.jsonl", "summary.json", "samples.png",
        ] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "missing \(file)")
        }
        let manifest = try String(contentsOfFile: run + "/manifest.csv", encoding: .utf8)
        #expect(!manifest.contains(",centre,"), "an unseen-class picture is in the GAN's training set")
        let proof = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/manifest.json")))
                as? [String: Any])
        let absence = try #require(proof["proof"] as? [String: Any])
        #expect(absence["labelledUnseen"] as? Int == 0 && absence["identicalToUnseen"] as? Int == 0)
        #expect((absence["unseenExamplesCompared"] as? Int ?? 0) > 0 && (absence["consumedExamples"] as? Int ?? 0) > 0)

        // The recipe knobs reach the run's configuration; selection by speech-likeness needs audio.
        let knobs = folder.appendingPathComponent("knobs").path
        let tuned = try StudioCommandRunner.run(
            [
                "train", "--unseen", "centre", "--classifier", "regular", "--iterations", "2", "--out", knobs,
                "--diff-augment", "--seen-classifier-weight", "0.5", "--generator-learning-rate", "1e-4",
                "--discriminator-learning-rate", "4e-4", "--discriminator-steps", "3",
            ] + common + tiny)
        #expect(tuned.status == 0, "\(tuned.stderr)")
        let tunedConfiguration = try #require(
            (try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: knobs + "/configuration.json")))
                as? [String: Any])?["probegan"] as? [String: Any])
        #expect(tunedConfiguration["seenClassifierWeight"] as? Double == 0.5)
        #expect(tunedConfiguration["discriminatorSteps"] as? Int == 3)
        #expect(abs((tunedConfiguration["generatorLearningRate"] as? Double ?? 0) - 1e-4) < 1e-9)
        #expect(abs((tunedConfiguration["discriminatorLearningRate"] as? Double ?? 0) - 4e-4) < 1e-9)
        #expect((tunedConfiguration["augmentation"] as? [String: Any])?["timeShiftShare"] as? Double == 0.125)
        let speechOnPictures = try StudioCommandRunner.run(
            [
                "train", "--unseen", "centre", "--classifier", "regular", "--iterations", "2", "--out",
                knobs + "-speech",
                "--selection", "speech-likeness",
            ] + common + tiny)
        #expect(
            speechOnPictures.status != 0 && speechOnPictures.stderr.contains("needs audio"),
            "\(speechOnPictures.stderr)")

        // A second start in the same folder is refused; --resume continues to a larger budget.
        let again = try StudioCommandRunner.run(
            ["train", "--unseen", "centre", "--classifier", "regular", "--out", run] + common + tiny)
        #expect(again.status != 0 && again.stderr.contains("--resume"), "\(again.stderr)")
        let resumed = try StudioCommandRunner.run(["train", "--resume", run, "--iterations", "4"] + common + tiny)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(
            resumed.stdout.contains("resuming") && resumed.stdout.contains("after 4 iterations"), "\(resumed.stdout)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/summary.json")))
                as? [String: Any])
        #expect(summary["iterations"] as? Int == 4)
        let classes = try #require(summary["classes"] as? [String: Any])
        #expect(Set(classes.keys) == ["top", "left", "centre"])
        // A resumed run keeps its settings: a flag that would change one is refused by name.
        let otherBatch = try StudioCommandRunner.run(["train", "--resume", run, "--batch-size", "5"] + common)
        #expect(
            otherBatch.status != 0 && otherBatch.stderr.contains("drop --batch-size")
                && otherBatch.stderr.contains("--config"),
            "\(otherBatch.stderr)")

        // configuration.json alone starts the run again (the resumed budget included): the same request,
        // the same generator bit for bit (the 2-iteration run resumed to 4 against a fresh run from its file).
        let again4 = folder.appendingPathComponent("again").path
        let fromConfig = try StudioCommandRunner.run([
            "train", "--config", run + "/configuration.json", "--out", again4, "--cache", cache,
        ])
        #expect(fromConfig.status == 0, "\(fromConfig.stderr)")
        func request(_ folder: String) throws -> [String: Any] {
            let resolved = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/configuration.json")))
            return try #require((resolved as? [String: Any])?["request"] as? [String: Any])
        }
        var original = try request(run)
        var reproduced = try request(again4)
        #expect(original["iterations"] as? Int == 4 && reproduced["iterations"] as? Int == 4)
        for key in ["runFolder"] {
            original[key] = nil
            reproduced[key] = nil
        }
        #expect(NSDictionary(dictionary: original).isEqual(to: reproduced), "\(original) against \(reproduced)")
        // The tensors, bit for bit (the metadata differs in the recorded budget: 2 then 4, against 4).
        let resumedGenerator = try Checkpoint.read(from: run + "/checkpoints/best-generator.safetensors").tensors
        let reproducedGenerator = try Checkpoint.read(from: again4 + "/checkpoints/best-generator.safetensors").tensors
        #expect(resumedGenerator.keys.sorted() == reproducedGenerator.keys.sorted() && !resumedGenerator.isEmpty)
        for (name, tensor) in resumedGenerator {
            #expect(tensor.scalars == reproducedGenerator[name]?.scalars, "generator tensor \(name) differs")
        }
        let notAConfig = try StudioCommandRunner.run(["train", "--config", run + "/summary.json", "--out", again4])
        #expect(
            notAConfig.status != 0 && notAConfig.stderr.contains("not a run folder's configuration.json"),
            "\(notAConfig.stderr)")

        let out = folder.appendingPathComponent("render").path
        let render = try StudioCommandRunner.run([
            "render", "--run", run, "--class", "centre", "--count", "3", "--out", out, "--json",
        ])
        #expect(render.status == 0, "\(render.stderr)")
        for index in 1...3 {
            let image = try PNGFile.read(out + String(format: "/centre-%04d.png", index))
            #expect(image.width == 128 && image.height == 128)
        }
        let badClass = try StudioCommandRunner.run(["render", "--run", run, "--class", "women", "--out", out])
        #expect(badClass.status != 0 && badClass.stderr.contains("unknown class"), "\(badClass.stderr)")

        // The judge's table: recognition with Wilson intervals, Frechet distances with bootstrap intervals.
        let evaluated = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "5", "--no-panel", "--json",
        ])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let comparison = try #require(
            try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        let evaluatedRuns = try #require(comparison["runs"] as? [[String: Any]])
        let evaluatedClasses = try #require(evaluatedRuns.first?["classes"] as? [[String: Any]])
        #expect(evaluatedClasses.count == 3)
        for item in evaluatedClasses {
            let recognition = try #require(item["judgeRecognition"] as? [String: Any])
            let lower = try #require(recognition["lower"] as? Double)
            let upper = try #require(recognition["upper"] as? Double)
            #expect(0 <= lower && lower <= upper && upper <= 1)
            let interval = try #require(item["frechetInterval"] as? [Double])
            #expect(interval.count == 2 && interval[0] <= interval[1])
        }

        // --judge: every run scored by each given judge on the same samples. The run's own judge
        // reproduces the plain table; another checkpoint (here the probed classifier) is a second judge.
        let resolved = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/configuration.json")))
                as? [String: Any])
        let ownJudge = try #require(resolved["judgePath"] as? String)
        let otherJudge = try #require(resolved["classifierPath"] as? String)
        let twoJudges = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--no-panel", "--judge", ownJudge,
            "--judge",
            otherJudge,
            "--json",
        ])
        #expect(twoJudges.status == 0, "\(twoJudges.stderr)")
        let judgedRuns = try #require(
            (try JSONSerialization.jsonObject(with: Data(twoJudges.stdout.utf8)) as? [String: Any])?["runs"]
                as? [[String: Any]])
        #expect(judgedRuns.compactMap { $0["judge"] as? String } == [ownJudge, otherJudge])
        func rates(_ run: [String: Any]?) -> [Double] {
            (run?["classes"] as? [[String: Any]] ?? []).compactMap {
                ($0["judgeRecognition"] as? [String: Any])?["rate"] as? Double
            }
        }
        #expect(rates(judgedRuns.first) == rates(evaluatedRuns.first), "the run's own judge gives the plain table")
        let missingJudge = try StudioCommandRunner.run(["evaluate", "--run", run, "--judge", run + "/none.safetensors"])
        #expect(missingJudge.status != 0 && missingJudge.stderr.contains("--judge"), "\(missingJudge.stderr)")
        // A judge of the run's classes that reads other inputs (16x16 pictures) is refused by name.
        let small = folder.appendingPathComponent("small")
        for split in ["train", "test"] {
            for name in ["centre", "left", "top"] {
                let classFolder = small.appendingPathComponent("\(split)/\(name)")
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                for index in 0..<2 {
                    try PNGFile.write(
                        RGBImage(width: 16, height: 16, fill: RGB(UInt8(40 * index), 90, 90)),
                        to: classFolder.appendingPathComponent("\(index).png").path)
                }
            }
        }
        let smallJudge = folder.appendingPathComponent("small-judge.safetensors").path
        let smallTrained = try StudioCommandRunner.run([
            "classifier", "train", "--modality", "image", "--dataset", "folder", "--data", small.path, "--cache", cache,
            "--epochs", "1", "--validation-share", "0", "--batch-size", "4", "--out", smallJudge,
        ])
        #expect(smallTrained.status == 0, "\(smallTrained.stderr)")
        let otherShape = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--no-panel", "--judge", smallJudge,
        ])
        #expect(otherShape.status != 0 && otherShape.stderr.contains("reads inputs of shape"), "\(otherShape.stderr)")
        // Same shape and classes, other inputs: the run records what its examples are, and a judge (or a
        // probed classifier) whose checkpoint says it read something else is refused by name.
        let representation = try #require(resolved["representation"] as? String)
        #expect(representation == "PNG class folders pixels 3x32x32 in [-1, 1]")
        var foreign = try Checkpoint.read(from: ownJudge)
        let summaryText = try #require(foreign.metadata["summary"])
        var judgeRecord = try #require(
            try JSONSerialization.jsonObject(with: Data(summaryText.utf8)) as? [String: Any])
        judgeRecord["representation"] = "CIFAR-10 pixels 3x32x32 in [-1, 1]"
        foreign.metadata["summary"] = String(
            decoding: try JSONSerialization.data(withJSONObject: judgeRecord), as: UTF8.self)
        let foreignJudge = folder.appendingPathComponent("cifar-judge.safetensors").path
        try foreign.write(to: foreignJudge)
        let otherInputs = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--no-panel", "--judge", foreignJudge,
        ])
        #expect(
            otherInputs.status != 0 && otherInputs.stderr.contains("it reads CIFAR-10 pixels"),
            "\(otherInputs.stderr)")
        let probedForeign = try StudioCommandRunner.run(
            [
                "train", "--unseen", "centre", "--classifier", foreignJudge, "--iterations", "2", "--out",
                run + "-foreign",
            ]
                + common)
        #expect(
            probedForeign.status != 0 && probedForeign.stderr.contains("it reads CIFAR-10 pixels"),
            "\(probedForeign.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run + "-foreign/configuration.json"))

        // An image run's report: pictures, no clips, nothing fetched from outside.
        let reported = try StudioCommandRunner.run(["report", "--run", run])
        #expect(reported.status == 0, "\(reported.stderr)")
        let page = try ListeningTestCommandTests.browserCheck(
            "check_report_page.py", ["--image-run", run + "/report.html"])
        #expect(page.status == 0, "headless Chromium check of the image report failed: \(page.errors)")

        // E-GBAS on the run's generator: every query at the three default layers, with files.
        let explored = folder.appendingPathComponent("explore").path
        let explore = try StudioCommandRunner.run([
            "explore", "--run", run, "--queries", "2", "--samples", "3", "--iterations", "40", "--mask-steps", "5",
            "--step", "0.05", "--out", explored, "--json",
        ])
        #expect(explore.status == 0, "\(explore.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(explore.stdout.utf8)) as? [String: Any])
        let cases = try #require(report["cases"] as? [[String: Any]])
        #expect(cases.count == 6)
        for item in cases {
            let units = try #require(item["units"] as? Int)
            let kept = try #require(item["boundaryCount"] as? Int)
            #expect(kept <= units && (item["treeNodes"] as? Int ?? 0) >= 1)
            let stem = String(format: "q%02d-", item["query"] as? Int ?? 0) + (item["layerName"] as? String ?? "")
            for file in ["\(stem)-grid.png", "\(stem)-tree.png", "\(stem)/query.png"] {
                #expect(FileManager.default.fileExists(atPath: explored + "/" + file), "missing \(file)")
            }
        }
        #expect(cases.contains { ($0["treeNodes"] as? Int ?? 0) > 1 }, "no tree grew: \(cases)")
        #expect(FileManager.default.fileExists(atPath: explored + "/explore.md"))
        let badLayer = try StudioCommandRunner.run(["explore", "--run", run, "--layer", "99", "--out", explored])
        #expect(badLayer.status != 0 && badLayer.stderr.contains("layer 99 does not exist"), "\(badLayer.stderr)")

        // A changed data set retrains the cached default classifier and judge.
        let extra = data.appendingPathComponent("train/top/extra.png")
        try FileManager.default.copyItem(atPath: data.path + "/train/top/0.png", toPath: extra.path)
        let changed = try StudioCommandRunner.run(
            ["train", "--unseen", "centre", "--classifier", "regular", "--iterations", "1", "--out", run + "-2"]
                + common + tiny)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("trained on other data"), "\(changed.stdout)")

        // A classifier trained at the cached default's path with another recipe is moved aside, not
        // lost, and the default recipe is trained in its place.
        let classifiers = URL(fileURLWithPath: cache).appendingPathComponent("classifiers")
        let cachedName = try #require(
            try FileManager.default.contentsOfDirectory(atPath: classifiers.path).first {
                $0.hasSuffix("-classifier.safetensors")
            })
        let cached = classifiers.appendingPathComponent(cachedName).path
        let own = try StudioCommandRunner.run(
            ["classifier", "train", "--epochs", "1", "--batch-size", "6", "--widths", "2,4", "--out", cached] + common)
        #expect(own.status == 0, "\(own.stderr)")
        let noTraining = try StudioCommandRunner.run(
            ["classifier", "train", "--validation-share", "1", "--out", cached + ".unused"] + common)
        #expect(
            noTraining.status != 0 && noTraining.stderr.contains("--validation-share must be at least 0 and below 1"),
            "\(noTraining.stderr)")
        let retrained = try StudioCommandRunner.run(
            ["train", "--unseen", "centre", "--classifier", "regular", "--iterations", "1", "--out", run + "-3"]
                + common + tiny)
        #expect(retrained.status == 0, "\(retrained.stderr)")
        #expect(retrained.stdout.contains("came from another recipe (residual 2,4, epochs 1"), "\(retrained.stdout)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: classifiers.path).filter {
            $0.contains("-classifier-recipe-") && $0.hasSuffix(".safetensors")
        }
        #expect(aside.count == 1, "the other recipe's classifier is kept: \(aside)")
        // The first run's classifier file has been retrained since: resuming that run is refused
        // instead of continuing against another frozen classifier.
        let stale = try StudioCommandRunner.run(["train", "--resume", run, "--iterations", "6"] + common + tiny)
        #expect(
            stale.status != 0 && stale.stderr.contains("not the one this run started with"), "\(stale.stderr)")
    }

    @Test func ctrlCWritesACheckpointAndResumeContinues() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try Self.makeDataset(at: data)
        let run = folder.appendingPathComponent("run").path
        let common = [
            "--modality", "image", "--dataset", "folder", "--data", data.path, "--cache",
            folder.appendingPathComponent("cache").path, "--batch-size", "6", "--evaluate-every", "1000",
            "--channels", "2", "--summary-samples", "6", "--evaluation-samples", "4",
        ]
        // Wait for the first logged iteration, then press Ctrl-C.
        let stopped = try StudioCommandRunner.interrupt(
            ["train", "--unseen", "centre", "--iterations", "100000", "--out", run] + common,
            once: run + "/metrics.jsonl")
        let stderr = stopped.stderr
        #expect(stopped.status == 130, "\(stderr)")
        #expect(stderr.contains("a checkpoint was written") && stderr.contains("--resume"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/last.safetensors"))
        let resumed = try StudioCommandRunner.run(["train", "--resume", run, "--iterations", "3"] + common)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming"), "\(resumed.stdout)")
        // The command the Ctrl-C message prints, nothing more, continues on the run's own data.
        let cache = folder.appendingPathComponent("cache").path
        let bare = try StudioCommandRunner.run(["train", "--resume", run, "--iterations", "4", "--cache", cache])
        #expect(bare.status == 0 && bare.stdout.contains("resuming"), "\(bare.stderr)")
        // Other data under a resumed run is refused, naming the run's own.
        let other = folder.appendingPathComponent("other")
        try Self.makeDataset(at: other)
        let mixed = try StudioCommandRunner.run(
            [
                "train", "--resume", run, "--iterations", "5", "--modality", "image", "--dataset", "folder", "--data",
                other.path, "--cache", cache,
            ])
        #expect(mixed.status != 0 && mixed.stderr.contains("continues it on that data only"), "\(mixed.stderr)")
        // Another run's checkpoint (other widths) copied into this run is refused; nothing is overwritten.
        let wider = folder.appendingPathComponent("wider").path
        let widerRun = try StudioCommandRunner.run(
            ["train", "--unseen", "centre", "--iterations", "1", "--out", wider]
                + common.map { $0 == "2" ? "3" : $0 })
        #expect(widerRun.status == 0, "\(widerRun.stderr)")
        let summary = FileManager.default.contents(atPath: run + "/summary.json")
        try FileManager.default.removeItem(atPath: run + "/checkpoints/last.safetensors")
        try FileManager.default.copyItem(
            atPath: wider + "/checkpoints/last.safetensors", toPath: run + "/checkpoints/last.safetensors")
        let foreign = try StudioCommandRunner.run(["train", "--resume", run, "--iterations", "6", "--cache", cache])
        #expect(foreign.status != 0 && foreign.stderr.contains("other settings"), "\(foreign.stderr)")
        #expect(FileManager.default.contents(atPath: run + "/summary.json") == summary)
    }
}
