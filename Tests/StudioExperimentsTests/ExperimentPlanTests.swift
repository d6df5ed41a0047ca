import Foundation
import Testing

@testable import StudioExperiments

/// An experiment's plan: its units and their order, the checks `--unit` makes before it writes
/// anything, and the Slurm jobs that run it.
@Suite("Experiment plan")
struct ExperimentPlanTests {
    static func settings(folder: String, replicates: Int? = nil) -> ExperimentSettings {
        var settings = ExperimentSettings(
            corpus: "/corpus", cacheFolder: "/cache", outputFolder: folder, target: "women")
        settings.replicates = replicates
        settings.ganSeed = 4
        settings.jobs = 2
        return settings
    }

    static func plan(folder: String = "/experiment", replicates: Int? = nil, inputs: String = "a") -> ExperimentPlan {
        ExperimentPlan(
            experiment: "marker", layout: MarkerExperiment.layout,
            settings: settings(folder: folder, replicates: replicates), inputs: inputs)
    }

    @Test func unitsPrepareThenClassifiersThenEveryArmOfEveryReplicate() {
        let plan = Self.plan(replicates: 2)
        #expect(
            plan.units.map(\.name) == [
                "prepare", "classifier-marked", "classifier-clean", "memory", "clean", "violation", "memory-seed5",
                "clean-seed5", "violation-seed5",
            ])
        #expect(plan.units.map(\.index) == Array(0..<9))
        #expect(plan.units.map(\.after) == [[], [0], [0], [1], [2], [2], [1], [2], [2]])
        #expect(plan.units(.arm).count == 6)
        // Replicate names are the runner's (the arms' run folders).
        let arm = ExperimentArm(
            name: "memory", title: "", ganData: "", ganVariant: nil, method: .probegan, classifierPath: "",
            absenceViolated: false)
        var settings = Self.settings(folder: "/experiment", replicates: 2)
        settings.jobs = 2
        #expect(ExperimentRunner.replicated([arm], settings).map(\.name) == ["memory", "memory-seed5"])
    }

    @Test func unitsGetTheThreadsAnArmWorkerWouldGet() {
        var plan = Self.plan()
        plan.threads = 2
        plan.jobs = 2
        #expect(plan.threads(of: .prepare) == 2 && plan.threads(of: .arm) == 1 && plan.threads(of: .classifier) == 1)
        plan.jobs = 1
        #expect(plan.threads(of: .arm) == 2)
        plan.threads = 8
        plan.jobs = 16  // at most one worker per arm: 3 arms
        #expect(plan.threads(of: .arm) == 2)
    }

    @Test func aUnitChecksThePlanItsRangeAndWhatItNeeds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = Self.plan(folder: folder)
        #expect(throws: ExperimentError.noPlan(folder: folder)) {
            try ExperimentPlan.unit(0, folder: folder, expected: plan)
        }
        try plan.write(to: folder)
        let file = ExperimentPlan.file(in: folder)
        #expect(throws: ExperimentError.planChanged(file: file, reason: "it was written for other settings")) {
            try ExperimentPlan.unit(0, folder: folder, expected: Self.plan(folder: folder, inputs: "b"))
        }
        #expect(throws: ExperimentError.unitOutOfRange(unit: 6, count: 6, file: file)) {
            try ExperimentPlan.unit(6, folder: folder, expected: plan)
        }
        #expect(throws: ExperimentError.unitNotReady(unit: "3 (memory)", waitingFor: ["1 (classifier-marked)"])) {
            try ExperimentPlan.unit(3, folder: folder, expected: plan)
        }
        #expect(try ExperimentPlan.unit(0, folder: folder, expected: plan).kind == .prepare)
        try ExperimentPlan.markDone(plan.units[0], in: folder)
        try ExperimentPlan.markDone(plan.units[1], in: folder)
        #expect(try ExperimentPlan.unit(3, folder: folder, expected: plan).name == "memory")
        // Another unit's marker does not stand in for the one needed.
        #expect(throws: ExperimentError.unitNotReady(unit: "4 (clean)", waitingFor: ["2 (classifier-clean)"])) {
            try ExperimentPlan.unit(4, folder: folder, expected: plan)
        }
        try Data("{".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: ExperimentError.planChanged(file: file, reason: "it cannot be read")) {
            try ExperimentPlan.unit(0, folder: folder, expected: plan)
        }
    }

    @Test func schedulingFlagsAreTakenOutOfTheCommand() {
        let given = [
            "experiment", "marker", "--submit", "slurm", "--out", "x", "--jobs=2", "--plan", "--unit", "3", "--seed",
            "1", "--submit=slurm",
        ]
        #expect(SlurmSubmission.experimentArguments(given) == ["experiment", "marker", "--out", "x", "--seed", "1"])
        #expect(SlurmSubmission.quoted("--out") == "--out")
        #expect(SlurmSubmission.quoted("a b'c") == "'a b'\\''c'")
        #expect(SlurmSubmission.quoted("$HOME") == "'$HOME'")
    }

    @Test func slurmJobsRunEachKindOfUnitAfterTheOneBefore() {
        var plan = Self.plan(replicates: 2)
        plan.threads = 2
        plan.jobs = 2
        let submission = SlurmSubmission(
            plan: plan, folder: "/experiment",
            command: ["/bin/studio", "experiment", "marker", "--out", "/experiment"],
            workingDirectory: "/work dir")
        let jobs = submission.jobs
        #expect(jobs.map(\.name) == ["prepare", "classifiers", "arms", "report"])
        #expect(jobs[0].script.contains("--unit 0 --jobs 1") && jobs[0].script.contains("--cpus-per-task=2"))
        #expect(!jobs[0].script.contains("--array"))
        #expect(jobs[1].script.contains("#SBATCH --array=1,2") && jobs[1].script.contains("STUDIO_THREADS=1"))
        #expect(jobs[2].script.contains("#SBATCH --array=3,4,5,6,7,8"))
        #expect(jobs[2].script.contains("--unit '$SLURM_ARRAY_TASK_ID'") == false)
        #expect(jobs[2].script.contains("--unit \"$SLURM_ARRAY_TASK_ID\""))
        #expect(jobs[3].script.hasSuffix("exec /bin/studio experiment marker --out /experiment --jobs 2\n"))
        #expect(jobs[3].script.contains("STUDIO_THREADS=2") && jobs[3].script.contains("cd '/work dir'"))
    }

    @Test func submittingWithoutSlurmSaysWhatIsMissing() throws {
        var submission = SlurmSubmission(
            plan: Self.plan(), folder: "/nonexistent/experiment", command: ["studio"], workingDirectory: "/")
        submission.searchPath = "/nonexistent"
        #expect(throws: SlurmError.notInstalled) { try submission.submit() }
        #expect(SlurmError.notInstalled.description.contains("--unit K"))
    }
}
