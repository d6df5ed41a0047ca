import Foundation
import StudioNN
import Testing

/// `studio train --shards` and `mpirun -np N studio train`: one training spread over threads and
/// MPI ranks gives the same bits for every rank count, resumes with another rank count, and stops
/// with a clear error when the ranks cannot share the shards.
@Suite(.serialized) struct TrainCommandDataParallelTests {
    static let mpirun = "/usr/bin/mpirun"

    /// `mpirun -np ranks studio arguments` as root, ranks free to use any core, more ranks than cores allowed.
    static func mpirun(_ ranks: Int, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ExperimentUnitsTests.bash(
            [
                mpirun, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "\(ranks)",
                "-x", "STUDIO_THREADS", StudioCommandRunner.executable.path,
            ] + arguments, environment: ["STUDIO_THREADS": "1"])
    }

    @Test func sameBitsForOneTwoAndFourRanks() throws {
        #expect(
            FileManager.default.isExecutableFile(atPath: Self.mpirun),
            "Open MPI is missing: STUDIO_WITH_MPI=1 bash scripts/install-system-packages.sh")
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try TrainCommandTests.makeDataset(at: data)
        let common = [
            "train", "--unseen", "centre", "--classifier", "regular", "--modality", "image", "--dataset", "folder",
            "--data", data.path, "--cache", folder.appendingPathComponent("cache").path, "--batch-size", "8",
            "--evaluate-every", "1", "--channels", "2", "--summary-samples", "6", "--evaluation-samples", "4",
        ]
        func out(_ name: String) -> String { folder.appendingPathComponent(name).path }
        func generator(_ name: String) -> Data? {
            FileManager.default.contents(atPath: out(name) + "/checkpoints/best-generator.safetensors")
        }

        // One process, four shards in four threads (this also trains the cached classifier and judge).
        let one = try StudioCommandRunner.run(common + ["--iterations", "4", "--shards", "4", "--out", out("one")])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("every batch of 8 in 4 shards, 1 process(es) of 4 thread(s)"), "\(one.stdout)")
        let plain = try StudioCommandRunner.run(common + ["--iterations", "4", "--out", out("plain")])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(generator("one") != nil && generator("one") != generator("plain"), "shards changed nothing")

        for ranks in [2, 4] {
            let name = "ranks-\(ranks)"
            let ran = try Self.mpirun(ranks, common + ["--iterations", "4", "--out", out(name)])
            #expect(ran.status == 0, "\(ranks) ranks: \(ran.output)")
            #expect(ran.output.contains("in 4 shards, \(ranks) process(es)"), "\(ran.output)")
            #expect(generator(name) == generator("one"), "\(ranks) ranks gave other bits than one process")
            #expect(!FileManager.default.fileExists(atPath: out(name) + "/data-parallel-start.safetensors"))
        }

        // Two iterations on two ranks, the rest in one process: the same bits as all four in one.
        let first = try Self.mpirun(2, common + ["--iterations", "2", "--out", out("resumed")])
        #expect(first.status == 0, "\(first.output)")
        let rest = try StudioCommandRunner.run(
            [
                "train", "--resume", out("resumed"), "--iterations", "4", "--shards", "4",
                "--cache", folder.appendingPathComponent("cache").path,
            ])
        #expect(rest.status == 0, "\(rest.stderr)")
        // (The file's metadata holds the first part's wall time: compare the weights.)
        let resumed = try Checkpoint.read(from: out("resumed") + "/checkpoints/best-generator.safetensors")
        let whole = try Checkpoint.read(from: out("one") + "/checkpoints/best-generator.safetensors")
        #expect(resumed.metadata["selectedIteration"] == whole.metadata["selectedIteration"])
        #expect(resumed.tensors.keys.sorted() == whole.tensors.keys.sorted())
        for (name, tensor) in whole.tensors {
            #expect(resumed.tensors[name]?.scalars == tensor.scalars, "\(name) differs after a resume on other ranks")
        }

        // A rank killed mid-run: mpirun stops the others and says which rank died; the last
        // checkpoint stays good, and the run resumes from it in one process.
        let dying = out("dying")
        let killed = try ExperimentUnitsTests.bash(
            [
                "bash", "-c",
                """
                "$@" > "$LOG" 2>&1 &
                launcher=$!
                for _ in $(seq 1 1200); do [ -s "$RUN/checkpoints/last.safetensors" ] && break; sleep 0.1; done
                for pid in $(pgrep -f "$RUN"); do
                    if tr '\\0' '\\n' < /proc/$pid/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then
                        kill -9 "$pid"
                    fi
                done
                wait $launcher
                status=$?
                cat "$LOG"
                exit $status
                """,
                "kill-rank-1", Self.mpirun, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2",
                StudioCommandRunner.executable.path,
            ] + common + ["--iterations", "200", "--out", dying],
            environment: ["RUN": dying, "LOG": out("dying.log"), "STUDIO_THREADS": "1"])
        #expect(killed.status != 0, "\(killed.output)")
        #expect(killed.output.contains("rank 1") && killed.output.contains("signal 9"), "\(killed.output)")
        let afterDeath = try StudioCommandRunner.run(
            [
                "train", "--resume", dying, "--iterations", "6", "--shards", "2", "--cache",
                folder.appendingPathComponent("cache").path,
            ])
        #expect(afterDeath.status == 0 && afterDeath.stdout.contains("resuming"), "\(afterDeath.stderr)")

        // Three ranks cannot share four shards: every rank says so and the job stops.
        let uneven = try Self.mpirun(3, common + ["--iterations", "1", "--shards", "4", "--out", out("uneven")])
        #expect(
            uneven.status != 0 && uneven.output.contains("3 MPI rank(s) cannot share 4 shard(s)"), "\(uneven.output)")
    }
}
