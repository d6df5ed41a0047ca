import Foundation
import Testing

/// `studio train --seeds`: several GAN seeds in one folder.
extension TrainCommandTests {
    /// `--seeds`: one folder, a run per seed, the same command continues it, and `studio evaluate`
    /// reports every seed and the mean; with one job a seed's run is the plain run of that seed.
    @Test func severalSeedsInOneFolder() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try Self.makeDataset(at: data)
        let seeds = folder.appendingPathComponent("seeds").path
        let common = [
            "train", "--unseen", "centre", "--classifier", "regular", "--modality", "image", "--dataset", "folder",
            "--data", data.path, "--cache", folder.appendingPathComponent("cache").path, "--batch-size", "6",
            "--evaluate-every", "1", "--iterations", "2", "--channels", "2", "--summary-samples", "6",
            "--evaluation-samples", "4",
        ]
        let trained = try StudioCommandRunner.run(common + ["--seeds", "0,1", "--jobs", "1", "--out", seeds])
        #expect(trained.status == 0, "\(trained.stderr)")
        for seed in [0, 1] {
            #expect(FileManager.default.fileExists(atPath: seeds + "/seed-\(seed)/summary.json"))
        }
        // The same command again keeps what is trained; other seeds in the folder are refused.
        let again = try StudioCommandRunner.run(common + ["--seeds", "0,1", "--jobs", "1", "--out", seeds])
        #expect(again.status == 0 && again.stdout.contains("already trained"), "\(again.stdout)")
        let other = try StudioCommandRunner.run(common + ["--seeds", "0,2", "--out", seeds])
        #expect(other.status != 0 && other.stderr.contains("holds GAN seeds 0,1"), "\(other.stderr)")
        let badSeeds = try StudioCommandRunner.run(common + ["--seeds", "1,1", "--out", seeds])
        #expect(badSeeds.status != 0 && badSeeds.stderr.contains("--seeds"), "\(badSeeds.stderr)")

        // Seed 1 of the folder is the plain run of seed 1, bit for bit.
        let single = folder.appendingPathComponent("single").path
        let plain = try StudioCommandRunner.run(common + ["--seed", "1", "--out", single])
        #expect(plain.status == 0, "\(plain.stderr)")
        let generator = "/checkpoints/best-generator.safetensors"
        #expect(
            FileManager.default.contents(atPath: seeds + "/seed-1" + generator)
                == FileManager.default.contents(atPath: single + generator))

        let evaluated = try StudioCommandRunner.run([
            "evaluate", "--run", seeds, "--samples", "8", "--bootstrap", "0", "--no-panel", "--json",
        ])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: Any])
        #expect((report["runs"] as? [[String: Any]])?.count == 2)
        let summary = try #require((report["seeds"] as? [[String: Any]])?.first)
        #expect(summary["seeds"] as? [Int] == [0, 1])
        let classes = try #require(summary["classes"] as? [[String: Any]])
        #expect(classes.count == 3)
        for item in classes {
            let judge = try #require(item["judge"] as? [String: Any])
            let values = try #require(judge["values"] as? [Double])
            let mean = try #require(judge["mean"] as? Double)
            #expect(values.count == 2 && abs(mean - (values[0] + values[1]) / 2) < 1e-12)
        }
    }

    /// `--seeds` as units (`--plan`, `--unit K`, as a scheduler runs them): each seed's generator is
    /// the one the one-machine folder trains, with the threads the plan gives each unit.
    @Test func severalSeedsAsUnits() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try Self.makeDataset(at: data)
        let common = [
            "train", "--unseen", "centre", "--classifier", "regular", "--modality", "image", "--dataset", "folder",
            "--data", data.path, "--cache", folder.appendingPathComponent("cache").path, "--batch-size", "6",
            "--evaluate-every", "1", "--iterations", "2", "--channels", "2", "--summary-samples", "6",
            "--evaluation-samples", "4", "--seeds", "0,1",
        ]
        let two = ["STUDIO_THREADS": "2"]
        let local = folder.appendingPathComponent("local").path
        let whole = try StudioCommandRunner.run(common + ["--jobs", "2", "--out", local], environment: two)
        #expect(whole.status == 0, "\(whole.stderr)")

        let units = folder.appendingPathComponent("units").path
        let byHand = common + ["--out", units]
        let planned = try StudioCommandRunner.run(byHand + ["--plan", "--jobs", "2"], environment: two)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("unit 2: seed-1 (after 0), 1 engine thread(s)"), "\(planned.stdout)")
        let early = try StudioCommandRunner.run(byHand + ["--unit", "1"])
        #expect(early.status != 0 && early.stderr.contains("needs unit(s) 0 (prepare)"), "\(early.stderr)")
        let outOfRange = try StudioCommandRunner.run(byHand + ["--unit", "3"])
        #expect(outOfRange.status != 0 && outOfRange.stderr.contains("units 0 to 2"), "\(outOfRange.stderr)")
        let noSeeds = try StudioCommandRunner.run(Array(common.dropLast(2)) + ["--out", units, "--unit", "0"])
        #expect(noSeeds.status != 0 && noSeeds.stderr.contains("need --seeds"), "\(noSeeds.stderr)")
        for unit in 0..<3 {
            let ran = try StudioCommandRunner.run(
                byHand + ["--unit", "\(unit)", "--jobs", "1"], environment: ["STUDIO_THREADS": unit == 0 ? "2" : "1"])
            #expect(ran.status == 0 && ran.stdout.contains("unit \(unit) of"), "unit \(unit): \(ran.stderr)")
        }
        let final = try StudioCommandRunner.run(byHand + ["--jobs", "2"], environment: two)
        #expect(final.status == 0 && final.stdout.contains("already trained"), "\(final.stdout)")
        let generator = "/checkpoints/best-generator.safetensors"
        for seed in [0, 1] {
            let unitGenerator = FileManager.default.contents(atPath: units + "/seed-\(seed)" + generator)
            #expect(
                unitGenerator != nil
                    && unitGenerator == FileManager.default.contents(atPath: local + "/seed-\(seed)" + generator))
        }
    }
}
