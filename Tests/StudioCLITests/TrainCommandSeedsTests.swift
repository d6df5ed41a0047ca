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
}
