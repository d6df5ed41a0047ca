import Foundation
import StudioSupport

/// What goes wrong when a plan is handed to Slurm; each case names the culprit and a way out.
public enum SlurmError: Error, CustomStringConvertible, Equatable {
    /// `sbatch` is not on the `PATH`.
    case notInstalled
    /// `sbatch` refused a job.
    case refused(script: String, status: Int32, output: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .notInstalled:
            return "--submit slurm: sbatch is not on the PATH; run the command on a machine of the Slurm cluster "
                + "(Debian: slurm-client, and SLURM_CONF if the cluster's configuration is not in /etc/slurm), or "
                + "run the plan's units yourself: --plan lists them, --unit K runs one"
        case .refused(let script, let status, let output):
            return
                "sbatch refused \(script) (exit status \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

/// A plan as Slurm jobs (`--submit slurm`): the prepare unit; then a job array of the classifier
/// units; then the run units, one job array per unit they wait for (the arms that probe one
/// classifier start as soon as that classifier's array task has finished, while another
/// classifier still trains); then the final job (the command without `--unit`, which writes the
/// report or the seeds' results) after every run. Dependencies are `afterok` (a failed unit cancels
/// what depends on it). Every job runs the same command with the engine threads the plan gives its
/// units, so the result is the one a one-machine run writes.
public struct SlurmSubmission: Sendable {
    /// One `sbatch` script.
    public struct Job: Sendable, Equatable {
        /// `prepare`, `classifiers`, `runs-after-U` (the runs that wait for unit U) or `final`.
        public var name: String
        /// The script's text.
        public var script: String
        /// The jobs it waits for, by name, each whole (task nil) or one of its array tasks.
        public var after: [Dependency]
    }

    /// A job another waits for: all of it, or one task of its array.
    public struct Dependency: Sendable, Equatable {
        /// The job's name.
        public var job: String
        /// The array task (a unit index), nil for the whole job.
        public var task: Int?
    }

    /// The plan.
    public var plan: UnitPlan
    /// The command's folder (the scripts and the jobs' logs go to `FOLDER/slurm/`).
    public var folder: String
    /// The studio executable and the command's arguments, without `--plan`, `--submit`, `--unit`
    /// and `--jobs` (the jobs add their own).
    public var command: [String]
    /// Where the jobs start (relative paths in `command` are relative to it).
    public var workingDirectory: String
    /// Where sbatch is looked for (nil: the `PATH`).
    public var searchPath: String?

    /// A submission of `plan` for the command whose folder is `folder`, run by `command` from `workingDirectory`.
    public init(plan: UnitPlan, folder: String, command: [String], workingDirectory: String) {
        self.plan = plan
        self.folder = folder
        self.command = command
        self.workingDirectory = workingDirectory
    }

    /// The command's arguments as given, without the scheduling flags (`--plan`, `--submit X`,
    /// `--unit K`, `--jobs J`, also in their `--flag=value` form).
    public static func commandArguments(_ arguments: [String]) -> [String] {
        let withValue: Set = ["--submit", "--unit", "--jobs"]
        var kept = [String]()
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
                continue
            }
            if argument == "--plan" { continue }
            if withValue.contains(argument) {
                skipNext = true
                continue
            }
            if withValue.contains(where: { argument.hasPrefix($0 + "=") }) { continue }
            kept.append(argument)
        }
        return kept
    }

    /// The jobs' scripts, in submission order (a kind of unit the plan lacks has no job).
    public var jobs: [Job] {
        let logs = URL(fileURLWithPath: folder).appendingPathComponent("slurm").path
        // `extra` is shell text, so that an array task's index reaches the command.
        func script(name: String, kind: PlanUnit.Kind?, extra: String, array: [Int]?, after: [Dependency] = [])
            -> Job
        {
            let threads = kind.map { plan.threads(of: $0) } ?? plan.threads
            var lines = [
                "#!/bin/bash",
                "#SBATCH --job-name=studio-\(plan.name)-\(name)",
                "#SBATCH --cpus-per-task=\(threads)",
                "#SBATCH --ntasks=1",
                "#SBATCH --output=\(logs)/\(name)-\(array == nil ? "%j" : "%a").log",
            ]
            if let array { lines.append("#SBATCH --array=\(array.map(String.init).joined(separator: ","))") }
            lines += [
                "# Written by studio --submit slurm; the plan is \(UnitPlan.file(in: folder)).",
                "set -euo pipefail",
                "cd \(Self.quoted(workingDirectory))",
                "export STUDIO_THREADS=\(threads)",
                "exec " + command.map(Self.quoted).joined(separator: " ") + " " + extra,
            ]
            return Job(name: name, script: lines.joined(separator: "\n") + "\n", after: after)
        }
        var jobs = [Job]()
        if let prepare = plan.units(.prepare).first {
            jobs.append(script(name: "prepare", kind: .prepare, extra: "--unit \(prepare.index) --jobs 1", array: nil))
        }
        let byArray = "--unit \"$SLURM_ARRAY_TASK_ID\" --jobs 1"
        let classifiers = plan.units(.classifier).map(\.index)
        if !classifiers.isEmpty {
            let after = jobs.map { Dependency(job: $0.name, task: nil) }
            jobs.append(
                script(name: "classifiers", kind: .classifier, extra: byArray, array: classifiers, after: after))
        }
        // The runs grouped by the units they wait for, in the order the plan lists them.
        var groups = [(after: [Int], units: [Int])]()
        for unit in plan.units(.run) {
            if let group = groups.firstIndex(where: { $0.after == unit.after }) {
                groups[group].units.append(unit.index)
            } else {
                groups.append((unit.after, [unit.index]))
            }
        }
        for group in groups {
            let after = group.after.map { index in
                plan.units[index].kind == .classifier
                    ? Dependency(job: "classifiers", task: index) : Dependency(job: "prepare", task: nil)
            }
            let name = "runs-after-" + group.after.map(String.init).joined(separator: "-")
            jobs.append(script(name: name, kind: .run, extra: byArray, array: group.units, after: after))
        }
        let runs = jobs.filter { $0.name.hasPrefix("runs-") }.map { Dependency(job: $0.name, task: nil) }
        jobs.append(script(name: "final", kind: nil, extra: "--jobs \(plan.jobs)", array: nil, after: runs))
        return jobs
    }

    /// Writes the scripts to `FOLDER/slurm/` and submits them with `sbatch`, each after the jobs
    /// (or array tasks) it waits for. Returns each job's name and Slurm job id.
    /// - Throws: `SlurmError` when sbatch is missing or refuses a job.
    public func submit() throws -> [(name: String, id: String)] {
        guard let sbatch = Self.executable("sbatch", searchPath: searchPath) else { throw SlurmError.notInstalled }
        let scripts = URL(fileURLWithPath: folder).appendingPathComponent("slurm")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        var submitted = [(name: String, id: String)]()
        for job in jobs {
            let path = scripts.appendingPathComponent("\(job.name).sbatch").path
            try AtomicFile.write(Data(job.script.utf8), to: path)
            var arguments = ["--parsable"]
            if !job.after.isEmpty {
                let ids = job.after.map { dependency -> String in
                    let id = submitted.first { $0.name == dependency.job }!.id
                    return dependency.task.map { "\(id)_\($0)" } ?? id
                }
                arguments += ["--dependency=afterok:" + ids.joined(separator: ":"), "--kill-on-invalid-dep=yes"]
            }
            let (status, output) = try Self.run(sbatch, arguments + [path])
            // `--parsable` prints "ID" or "ID;CLUSTER".
            let id = output.split(separator: ";").first.map(String.init)?.trimmingCharacters(
                in: .whitespacesAndNewlines)
            guard status == 0, let id, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw SlurmError.refused(script: path, status: status, output: output)
            }
            submitted.append((job.name, id))
        }
        let record = submitted.map { "\($0.name) \($0.id)" }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(record.utf8), to: scripts.appendingPathComponent("jobs.txt").path)
        return submitted
    }

    /// `text` in single quotes for bash.
    static func quoted(_ text: String) -> String {
        if !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }),
            !text.contains("$")
        {
            return text
        }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The first `name` in `searchPath` (nil: the `PATH`) that can be run.
    static func executable(_ name: String, searchPath: String? = nil) -> String? {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs `executable` and returns its exit status and its output (stdout and stderr).
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
