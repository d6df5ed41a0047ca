import Foundation
import Testing

/// `studio evaluate`'s acoustic verdict on a tiny audio run (the one the listening-test suite
/// trains, so no second training is paid for): pitch, the pitch-only classifier and
/// speech-likeness of the rendered audio, beside the real and the resynthesised held-out clips of
/// `ListeningTestCommandTests.makeCorpus`, and the files it leaves in the run folder.
enum EvaluateCommandChecks {
    static func acousticVerdict(run: String, corpus: URL, cache: String) throws {
        let evaluated = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--data", corpus.path, "--cache", cache,
            "--panel-epochs", "1", "--json",
        ])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        let runs = try #require(report["runs"] as? [[String: Any]])
        let acoustic = try #require(runs.first?["acoustic"] as? [String: Any], "an audio run is measured acoustically")
        // 4 training clips per class and speaker, 3 speakers; pitch alone tells 120 Hz from 230 Hz.
        #expect(acoustic["pitchClassifierTrainingClips"] as? Int == 36)
        #expect(acoustic["pitchMenWomenHeldOutAccuracy"] as? Double == 1)
        let classes = try #require(acoustic["classes"] as? [[String: Any]])
        #expect(classes.compactMap { $0["name"] as? String } == ["men", "nonhuman", "women"])
        func set(_ name: String, _ kind: String) throws -> [String: Any] {
            try #require(classes.first { $0["name"] as? String == name }?[kind] as? [String: Any])
        }
        func median(_ set: [String: Any], _ key: String) -> Double? {
            (set[key] as? [String: Any])?["median"] as? Double
        }
        for (name, f0) in [("men", 120.0), ("women", 230.0)] {
            for kind in ["realHeldOut", "resynthesised"] {
                let measured = try set(name, kind)
                // The held-out speaker's clips sit at f0 * (1 + 0.03 k), k = 0...3.
                let pitch = try #require(median(measured, "medianF0"), "\(name) \(kind) has a pitch")
                #expect(pitch > f0 * 0.97 && pitch < f0 * 1.12, "\(name) \(kind): median F0 \(pitch)")
                let recognition = try #require(measured["pitchRecognition"] as? [String: Any])
                #expect(recognition["rate"] as? Double == 1, "\(name) \(kind): \(recognition)")
                // A steady synthetic stack does not move in pitch.
                #expect((median(measured, "f0Movement") ?? 9) < 0.3)
            }
            #expect(try set(name, "generated")["clips"] as? Int == 8)
        }
        // Nonhuman noise has no pitch, in the real clips and in their resynthesis.
        #expect(try set("nonhuman", "realHeldOut")["pitchedShare"] as? Double == 0)
        // Every clip of a set is measured, and the real row's distance is between its halves.
        #expect(try set("women", "realHeldOut")["clips"] as? Int == 4)
        #expect(try set("women", "generated")["speechLikenessDistance"] as? Double != nil)

        // The judge panel: five judges of three families, each scored on real held-out clips, and
        // per class every judge's recognition, the median, range and majority vote.
        let panel = try #require(runs.first?["panel"] as? [String: Any], "the panel scores the run")
        let judges = try #require(panel["judges"] as? [[String: Any]])
        #expect(judges.count == 5)
        #expect(Set(judges.compactMap { $0["architecture"] as? String }) == ["vgg", "residual", "plain"])
        #expect(judges.allSatisfy { ($0["path"] as? String)?.contains("-epochs1") == true })
        #expect(judges.compactMap { $0["heldOutAccuracy"] as? Double }.allSatisfy { (0...1).contains($0) })
        let panelClasses = try #require(panel["classes"] as? [[String: Any]])
        #expect(panelClasses.count == 3)
        for item in panelClasses {
            for kind in ["generated", "realHeldOut"] {
                let recognition = try #require(item[kind] as? [String: Any])
                let byJudge = try #require(recognition["byJudge"] as? [Double])
                let (low, median, high) = (
                    recognition["lowest"] as? Double ?? -1, recognition["median"] as? Double ?? -1,
                    recognition["highest"] as? Double ?? -1
                )
                #expect(byJudge.count == 5 && low == byJudge.min() && high == byJudge.max())
                #expect(low <= median && median <= high)
                let majority = try #require((recognition["majority"] as? [String: Any])?["rate"] as? Double)
                #expect((0...1).contains(majority))
            }
            #expect((item["realHeldOut"] as? [String: Any])?["clips"] as? Int == 4)
        }
        // The cached default judge was neither moved nor retrained by the panel's quick budget.
        let resolved = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/configuration.json")))
                as? [String: Any])
        #expect(FileManager.default.fileExists(atPath: try #require(resolved["judgePath"] as? String)))

        // The files beside the run, and the report that shows them.
        for file in ["evaluation/acoustic.json", "evaluation/f0-histograms.png", "evaluation/panel.json"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(file) written")
        }
        let markdown = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--data", corpus.path, "--cache", cache,
            "--panel-epochs", "1",
        ])
        #expect(markdown.stdout.contains("the judge panel") && markdown.stdout.contains("judge-plain"))
        #expect(markdown.stdout.contains("women (unseen): resynthesised (control)"), "\(markdown.stdout)")
        // --no-acoustic leaves the judge alone.
        let judgeOnly = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--no-acoustic", "--no-panel", "--json",
        ])
        #expect(judgeOnly.status == 0, "\(judgeOnly.stderr)")
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(judgeOnly.stdout.utf8)) as? [String: Any])
        #expect(((plain["runs"] as? [[String: Any]])?.first?["acoustic"]) == nil)
        #expect(((plain["runs"] as? [[String: Any]])?.first?["panel"]) == nil)
        let selectedRun = try #require((plain["runs"] as? [[String: Any]])?.first)
        #expect(selectedRun["generator"] as? String == "selected")
        #expect(selectedRun["generatorIteration"] as? Int == selectedRun["selectedIteration"] as? Int)

        // --generator last samples the last checkpoint, says so, and writes beside (not over) the
        // selected generator's files.
        let selectedAcoustic = try Data(contentsOf: URL(fileURLWithPath: run + "/evaluation/acoustic.json"))
        let last = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--data", corpus.path, "--cache", cache,
            "--no-panel", "--generator", "last", "--json",
        ])
        #expect(last.status == 0, "\(last.stderr)")
        let lastReport = try #require(try JSONSerialization.jsonObject(with: Data(last.stdout.utf8)) as? [String: Any])
        let lastRun = try #require((lastReport["runs"] as? [[String: Any]])?.first)
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/summary.json")))
                as? [String: Any])
        #expect(lastRun["generator"] as? String == "last")
        #expect(lastRun["generatorIteration"] as? Int == summary["iterations"] as? Int)
        #expect(((lastReport["notes"] as? [String]) ?? []).contains { $0.hasPrefix("Generators: each run's last") })
        #expect(FileManager.default.fileExists(atPath: run + "/evaluation/last/acoustic.json"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/evaluation/acoustic.json")) == selectedAcoustic)
        let unknown = try StudioCommandRunner.run(["evaluate", "--run", run, "--generator", "first"])
        #expect(unknown.status != 0 && unknown.stderr.contains("generator"), "\(unknown.stderr)")
    }
}
