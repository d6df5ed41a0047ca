import ArgumentParser
import Foundation
import StudioPipelines

/// A scheduler `--submit` hands a plan to.
enum Scheduler: String, ExpressibleByArgument, CaseIterable {
    /// Slurm, through sbatch.
    case slurm
}

/// `--plan`, `--unit K` and `--submit slurm`: a multi-run command (an experiment, several GAN
/// seeds) split into units that a scheduler, or a loop, runs one by one.
struct SchedulerOptions: ParsableArguments {
    @Flag(
        help:
            "Write the plan (FOLDER/plan.json: unit 0 prepares what every run shares, then one unit per probed classifier of an experiment, then one per GAN run) and list its units; trains nothing."
    )
    var plan = false

    @Option(
        help: ArgumentHelp(
            "Run one unit of the folder's plan (written by --plan) and stop: resumable and safe to rerun. Once every unit has finished, the same command without --unit writes the result.",
            valueName: "K"))
    var unit: Int?

    @Option(
        help: ArgumentHelp(
            "Write the plan and submit it: slurm (sbatch: a prepare job, a job array of the classifier units, job arrays of the run units, each after what its units need, then the command without --unit after every run).",
            valueName: "scheduler"))
    var submit: Scheduler?

    func validate() throws {
        if [plan, unit != nil, submit != nil].filter({ $0 }).count > 1 {
            throw ValidationError("--plan, --unit and --submit are alternatives: pass one of them")
        }
        if let unit, unit < 0 { throw ValidationError("--unit must be 0 or more, got \(unit)") }
    }

    /// True for `--plan` and `--submit`, which write the plan instead of running.
    var writesPlan: Bool { plan || submit != nil }

    /// Lists the units of `plan` (written to `folder`) and, for `--submit slurm`, submits them;
    /// `final` says what the command without `--unit` does at the end.
    func schedule(_ plan: UnitPlan, folder: String, final: String) throws {
        print("plan: \(UnitPlan.file(in: folder))")
        for unit in plan.units {
            let after = unit.after.isEmpty ? "" : " (after \(unit.after.map(String.init).joined(separator: ", ")))"
            print("  unit \(unit.index): \(unit.name)\(after), \(plan.threads(of: unit.kind)) engine thread(s)")
        }
        print("  then: the same command without --unit \(final) (\(plan.threads) engine threads, --jobs \(plan.jobs))")
        guard submit == .slurm else {
            print("run a unit with the same command and --unit K (a unit waits for the ones it needs)")
            return
        }
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let submission = SlurmSubmission(
            plan: plan, folder: folder,
            command: [executable] + SlurmSubmission.commandArguments(Array(CommandLine.arguments.dropFirst())),
            workingDirectory: FileManager.default.currentDirectoryPath)
        let jobs = try submission.submit()
        print("submitted to Slurm: " + jobs.map { "\($0.name) job \($0.id)" }.joined(separator: ", "))
        print(
            "scripts and logs: \(folder)/slurm; the result once job \(jobs.last!.id) has finished "
                + "(squeue -j \(jobs.map(\.id).joined(separator: ",")))")
    }
}
