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
            "--json",
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

        // The files beside the run, and the report that shows them.
        for file in ["evaluation/acoustic.json", "evaluation/f0-histograms.png"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(file) written")
        }
        let markdown = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--data", corpus.path, "--cache", cache,
        ])
        #expect(markdown.stdout.contains("women (unseen): resynthesised (control)"), "\(markdown.stdout)")
        // --no-acoustic leaves the judge alone.
        let judgeOnly = try StudioCommandRunner.run([
            "evaluate", "--run", run, "--samples", "8", "--bootstrap", "0", "--no-acoustic", "--json",
        ])
        #expect(judgeOnly.status == 0, "\(judgeOnly.stderr)")
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(judgeOnly.stdout.utf8)) as? [String: Any])
        #expect(((plain["runs"] as? [[String: Any]])?.first?["acoustic"]) == nil)
    }
}
