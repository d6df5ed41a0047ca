import Foundation
import Testing

/// An experiment over 3 GAN seeds split into units (`--plan`, `--unit K`) and run as Slurm jobs
/// (`--submit slurm`, on a one-node cluster the test starts and stops) writes the report a
/// one-machine run writes.
@Suite("studio experiment --plan, --unit, --submit slurm", .serialized)
struct ExperimentUnitsTests {
    /// What two runs of one experiment must share: every measured row, every finding and every
    /// classifier check (the folders, and so the paths and training times, differ).
    static func result(_ folder: String) throws -> [String: String] {
        let report = try ExperimentCommandTests.report(folder)
        var result = [String: String]()
        for key in ["rows", "findings", "classifiers"] {
            var value = try #require(report[key], "report.json has \(key)")
            if key == "classifiers", let checks = value as? [[String: Any]] {
                value = checks.map { $0.filter { $0.key != "path" } }
            }
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
            result[key] = String(decoding: data, as: UTF8.self)
        }
        return result
    }

    @Test func unitsRunByHandAndAsSlurmJobsWriteTheOneMachineReport() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("fashion")
        try ExperimentCommandTests.makeFashionMNIST(at: data)
        let common =
            [
                "experiment", "marker", "--modality", "image", "--data", data.path, "--cache",
                folder.appendingPathComponent("cache").path, "--replicates", "3",
            ] + ExperimentCommandTests.tiny
        // Two engine threads, two arms at once: each arm (and classifier) trains on one thread.
        let two = ["STUDIO_THREADS": "2"]
        let local = folder.appendingPathComponent("local").path
        let whole = try StudioCommandRunner.run(common + ["--out", local, "--jobs", "2"], environment: two)
        #expect(whole.status == 0, "\(whole.stderr)")

        let units = folder.appendingPathComponent("units").path
        let byHand = common + ["--out", units]
        let noPlan = try StudioCommandRunner.run(byHand + ["--unit", "0"], environment: two)
        #expect(noPlan.status != 0 && noPlan.stderr.contains("--plan"), "\(noPlan.stderr)")
        let planned = try StudioCommandRunner.run(byHand + ["--plan", "--jobs", "2"], environment: two)
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("unit 5: violation (after 2), 1 engine thread(s)"), "\(planned.stdout)")
        #expect(!FileManager.default.fileExists(atPath: units + "/runs"), "--plan trains nothing")
        let outOfRange = try StudioCommandRunner.run(byHand + ["--unit", "12"])
        #expect(outOfRange.status != 0 && outOfRange.stderr.contains("units 0 to 11"), "\(outOfRange.stderr)")
        let early = try StudioCommandRunner.run(byHand + ["--unit", "3"])
        #expect(early.status != 0 && early.stderr.contains("needs unit(s) 1 (classifier-marked)"), "\(early.stderr)")
        #expect(!FileManager.default.fileExists(atPath: units + "/runs"), "a unit that cannot start writes nothing")
        let otherInputs = try StudioCommandRunner.run(byHand + ["--unit", "0", "--samples", "7"])
        #expect(
            otherInputs.status != 0 && otherInputs.stderr.contains("written for other settings"),
            "\(otherInputs.stderr)")
        // Each unit with the threads the plan gives it, as the Slurm jobs below run them.
        for unit in 0..<12 {
            let threads = unit == 0 ? "2" : "1"
            let ran = try StudioCommandRunner.run(
                byHand + ["--unit", "\(unit)", "--jobs", "1"], environment: ["STUDIO_THREADS": threads])
            #expect(ran.status == 0 && ran.stdout.contains("unit \(unit) of"), "unit \(unit): \(ran.stderr)")
        }
        let again = try StudioCommandRunner.run(byHand + ["--unit", "3"], environment: ["STUDIO_THREADS": "1"])
        #expect(again.status == 0 && again.stdout.contains("memory: finished earlier"), "\(again.stdout)")
        let assembled = try StudioCommandRunner.run(byHand + ["--jobs", "2"], environment: two)
        #expect(assembled.status == 0, "\(assembled.stderr)")
        #expect(!assembled.stdout.contains("(training "), "the report step trains nothing: \(assembled.stdout)")
        let expected = try Self.result(local)
        let fromUnits = try Self.result(units)
        for key in expected.keys.sorted() {
            #expect(fromUnits[key] == expected[key], "\(key): \(fromUnits[key] ?? "-") against \(expected[key]!)")
        }

        // The same experiment as Slurm jobs on a one-node cluster.
        let cluster = folder.appendingPathComponent("slurm-cluster").path
        let script = StudioCommandRunner.repositoryRoot.appendingPathComponent("scripts/local-slurm.sh").path
        let started = try Self.bash(["bash", script, "start", cluster])
        defer { _ = try? Self.bash(["bash", script, "stop", cluster]) }
        try #require(started.status == 0, "the local Slurm cluster: \(started.output)")
        let slurm = folder.appendingPathComponent("slurm").path
        let environment = two.merging(["SLURM_CONF": cluster + "/slurm.conf"]) { $1 }
        let submitted = try StudioCommandRunner.run(
            common + ["--out", slurm, "--submit", "slurm", "--jobs", "2"], environment: environment)
        #expect(submitted.status == 0 && submitted.stdout.contains("submitted to Slurm"), "\(submitted.stderr)")
        // The report job writes an interim report after each arm: wait until the queue is empty.
        let deadline = Date().addingTimeInterval(900)
        var queue = ""
        repeat {
            Thread.sleep(forTimeInterval: 1)
            let listed = try Self.bash(["squeue", "-h", "-o", "%i %T %r"], environment: environment)
            queue = listed.status == 0 ? listed.output.trimmingCharacters(in: .whitespacesAndNewlines) : listed.output
        } while Date() < deadline && !queue.isEmpty
        #expect(queue.isEmpty, "every job finished within 15 minutes: \(queue)")
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: slurm + "/slurm")) ?? []
        let jobs = (try? String(contentsOfFile: slurm + "/slurm/jobs.txt", encoding: .utf8)) ?? ""
        let reportJob = jobs.split(separator: "\n").last.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        let reportLog =
            (try? String(contentsOfFile: slurm + "/slurm/final-\(reportJob ?? "").log", encoding: .utf8)) ?? ""
        #expect(reportLog.contains("findings:"), "the report job finished: \(logs), \(reportLog)")
        #expect(logs.contains("runs-after-2-5.log") && logs.contains("classifiers-1.log"), "\(logs)")
        let fromSlurm = try Self.result(slurm)
        for key in expected.keys.sorted() {
            #expect(fromSlurm[key] == expected[key], "\(key): \(fromSlurm[key] ?? "-") against \(expected[key]!)")
        }
    }

    /// Runs `arguments` (a program on the `PATH` and its arguments) with `environment` added;
    /// its status and its output (stdout and stderr). Spawned and reaped with posix_spawn and
    /// waitpid: Foundation's Process was seen to miss the exit of a shell whose daemons outlive it.
    static func bash(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String
    ) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        guard spawned == 0 else { return (-1, "posix_spawn failed: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS: the low 7 bits are the signal, bits 8-15 the exit status.
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }
}
