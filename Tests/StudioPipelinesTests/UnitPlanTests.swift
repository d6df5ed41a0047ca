import Foundation
import Testing

@testable import StudioPipelines

/// A plan of units: the checks `--unit` makes before it writes anything, the threads of each unit,
/// and the Slurm jobs that run it.
@Suite("Unit plan and Slurm submission")
struct UnitPlanTests {
    /// prepare; two classifiers; three runs, the first after classifier 1, the others after classifier 2.
    static func plan(inputs: String = "a") -> UnitPlan {
        UnitPlan(
            name: "marker", inputs: inputs, threads: 2, jobs: 2,
            units: [
                PlanUnit(index: 0, name: "prepare", kind: .prepare, after: []),
                PlanUnit(index: 1, name: "classifier-marked", kind: .classifier, after: [0]),
                PlanUnit(index: 2, name: "classifier-clean", kind: .classifier, after: [0]),
                PlanUnit(index: 3, name: "memory", kind: .run, after: [1]),
                PlanUnit(index: 4, name: "clean", kind: .run, after: [2]),
                PlanUnit(index: 5, name: "violation", kind: .run, after: [2]),
            ])
    }

    @Test func unitsGetTheThreadsAWorkerWouldGet() {
        var plan = Self.plan()
        #expect(plan.threads(of: .prepare) == 2 && plan.threads(of: .run) == 1 && plan.threads(of: .classifier) == 1)
        plan.jobs = 1
        #expect(plan.threads(of: .run) == 2)
        plan.threads = 8
        plan.jobs = 16  // at most one worker per run: 3 runs
        #expect(plan.threads(of: .run) == 2)
    }

    @Test func aUnitChecksThePlanItsRangeAndWhatItNeeds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = Self.plan()
        #expect(throws: UnitPlanError.noPlan(folder: folder)) {
            try UnitPlan.unit(0, folder: folder, expected: plan)
        }
        try plan.write(to: folder)
        let file = UnitPlan.file(in: folder)
        #expect(throws: UnitPlanError.planChanged(file: file, reason: "it was written for other settings")) {
            try UnitPlan.unit(0, folder: folder, expected: Self.plan(inputs: "b"))
        }
        #expect(throws: UnitPlanError.unitOutOfRange(unit: 6, count: 6, file: file)) {
            try UnitPlan.unit(6, folder: folder, expected: plan)
        }
        #expect(throws: UnitPlanError.unitNotReady(unit: "3 (memory)", waitingFor: ["1 (classifier-marked)"])) {
            try UnitPlan.unit(3, folder: folder, expected: plan)
        }
        #expect(try UnitPlan.unit(0, folder: folder, expected: plan).kind == .prepare)
        try UnitPlan.markDone(plan.units[0], in: folder)
        try UnitPlan.markDone(plan.units[1], in: folder)
        #expect(try UnitPlan.unit(3, folder: folder, expected: plan).name == "memory")
        // Another unit's marker does not stand in for the one needed.
        #expect(throws: UnitPlanError.unitNotReady(unit: "4 (clean)", waitingFor: ["2 (classifier-clean)"])) {
            try UnitPlan.unit(4, folder: folder, expected: plan)
        }
        try Data("{".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: UnitPlanError.planChanged(file: file, reason: "it cannot be read")) {
            try UnitPlan.unit(0, folder: folder, expected: plan)
        }
    }

    @Test func schedulingFlagsAreTakenOutOfTheCommand() {
        let given = [
            "experiment", "marker", "--submit", "slurm", "--out", "x", "--jobs=2", "--plan", "--unit", "3", "--seed",
            "1", "--submit=slurm",
        ]
        #expect(SlurmSubmission.commandArguments(given) == ["experiment", "marker", "--out", "x", "--seed", "1"])
        #expect(SlurmSubmission.quoted("--out") == "--out")
        #expect(SlurmSubmission.quoted("a b'c") == "'a b'\\''c'")
        #expect(SlurmSubmission.quoted("$HOME") == "'$HOME'")
    }

    @Test func slurmJobsWaitForExactlyWhatTheirUnitsNeed() {
        let submission = SlurmSubmission(
            plan: Self.plan(), folder: "/experiment",
            command: ["/bin/studio", "experiment", "marker", "--out", "/experiment"], workingDirectory: "/work dir")
        let jobs = submission.jobs
        #expect(jobs.map(\.name) == ["prepare", "classifiers", "runs-after-1", "runs-after-2", "final"])
        #expect(jobs[0].script.contains("--unit 0 --jobs 1") && jobs[0].script.contains("--cpus-per-task=2"))
        #expect(!jobs[0].script.contains("--array") && jobs[0].after.isEmpty)
        #expect(jobs[1].script.contains("#SBATCH --array=1,2") && jobs[1].script.contains("STUDIO_THREADS=1"))
        #expect(jobs[1].after == [.init(job: "prepare", task: nil)])
        // The arm that probes classifier 1 waits for that array task alone, not for classifier 2.
        #expect(jobs[2].script.contains("#SBATCH --array=3\n") && jobs[2].after == [.init(job: "classifiers", task: 1)])
        #expect(jobs[3].script.contains("#SBATCH --array=4,5") && jobs[3].after == [.init(job: "classifiers", task: 2)])
        #expect(jobs[3].script.contains("--unit \"$SLURM_ARRAY_TASK_ID\""))
        #expect(jobs[4].after == [.init(job: "runs-after-1", task: nil), .init(job: "runs-after-2", task: nil)])
        #expect(jobs[4].script.hasSuffix("exec /bin/studio experiment marker --out /experiment --jobs 2\n"))
        #expect(jobs[4].script.contains("STUDIO_THREADS=2") && jobs[4].script.contains("cd '/work dir'"))
        // A plan without classifier units (a seeds folder): its runs wait for prepare.
        var seeds = Self.plan()
        seeds.units = [seeds.units[0], PlanUnit(index: 1, name: "seed-0", kind: .run, after: [0])]
        let seedJobs = SlurmSubmission(plan: seeds, folder: "/s", command: ["studio"], workingDirectory: "/").jobs
        #expect(seedJobs.map(\.name) == ["prepare", "runs-after-0", "final"])
        #expect(seedJobs[1].after == [.init(job: "prepare", task: nil)])
    }

    @Test func submittingWithoutSlurmSaysWhatIsMissing() throws {
        var submission = SlurmSubmission(
            plan: Self.plan(), folder: "/nonexistent/experiment", command: ["studio"], workingDirectory: "/")
        submission.searchPath = "/nonexistent"
        #expect(throws: SlurmError.notInstalled) { try submission.submit() }
        #expect(SlurmError.notInstalled.description.contains("--unit K"))
    }
}
