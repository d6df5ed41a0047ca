import ArgumentParser
import Foundation
import StudioClassifiers
import StudioPipelines
import StudioSupport

/// `studio classifier panel`: the judge panel of a data set, trained once and scored on held-out data.
struct ClassifierPanelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panel",
        abstract: "Train (once) and score the judge panel: five judges of three architecture families.",
        discussion: """
            The panel studio evaluate scores every run with: the default judge and four more classifiers \
            that differ in architecture family (VGG-style, residual, plain), widths, augmentation, seed and \
            how their weights are kept (early stopping on held-out training speakers, or a weight average \
            of the last five epochs on every training speaker). Each trains on the training split only and \
            is cached beside the default judge (CACHE/classifiers/DATA-judge-*.safetensors). This command \
            prints each judge's accuracy on the held-out test split, overall and per class. With --plan, \
            --unit K or --submit slurm (and --out FOLDER for the plan), each judge is a unit a scheduler \
            runs on its own.
            """)

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Option(help: "Override every judge's epoch budget (a quick look; kept apart from the default panel).")
    var epochs: Int?

    @Flag(help: "Print the JSON report.")
    var json = false

    @Option(
        help:
            "Judges trained at once, the engine's threads divided among them (default 1); a judge's last bits depend on its threads."
    )
    var jobs: Int?

    @Option(
        help: ArgumentHelp(
            "With --plan, --unit or --submit: the folder of the plan, its units' marks and Slurm logs.",
            valueName: "folder"))
    var out: String?

    @OptionGroup(title: "Scheduling") var scheduling: SchedulerOptions

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if (scheduling.writesPlan || scheduling.unit != nil) && out == nil {
            throw ValidationError("--plan, --unit and --submit keep the plan in a folder: pass --out FOLDER")
        }
    }

    func run() throws {
        let source = try dataOptions.source()
        var audio = false
        if case .audio = source { audio = true }
        let cacheFolder = dataOptions.location.cacheFolder
        let hooks = TrainingHooks.terminal(InterruptFlag.install())
        if let out, scheduling.writesPlan || scheduling.unit != nil {
            let plan = try JudgePanel.plan(
                dataName: source.dataName, cacheFolder: cacheFolder, epochs: epochs, jobs: jobs ?? 1)
            if let unit = scheduling.unit {
                try JudgePanel.runUnit(
                    unit, folder: out, expected: plan, data: { try dataOptions.loadData().train }, audio: audio,
                    dataName: source.dataName, cacheFolder: cacheFolder, epochs: epochs, hooks: hooks)
                print("unit \(unit) of \(UnitPlan.file(in: out)) finished")
                return
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try plan.write(to: out)
            try scheduling.schedule(plan, folder: out, final: "scores every judge")
            return
        }
        let (train, test) = try dataOptions.loadData()
        let panel = try JudgePanel.ensure(
            data: train, audio: audio, dataName: source.dataName, cacheFolder: cacheFolder, epochs: epochs,
            jobs: jobs ?? 1, hooks: hooks)
        struct Scored: Codable {
            let name: String, architecture: String, widths: [Int], path: String, recipe: String?
            let heldOut: ClassifierEvaluationReport
        }
        let scored = try panel.map { judge in
            Scored(
                name: judge.member.name, architecture: judge.member.architecture.rawValue, widths: judge.member.widths,
                path: judge.path, recipe: judge.summary.recipe,
                heldOut: try ClassifierPipelines.evaluate(
                    model: judge.model, test: test, attack: .none, confusionPNG: nil))
        }
        if json {
            print(try jsonString(scored))
            return
        }
        for judge in scored {
            let perClass = judge.heldOut.classNames.map {
                String(format: "%@ %.1f%%", $0, 100 * (judge.heldOut.perClassAccuracy[$0] ?? 0))
            }
            print(
                String(
                    format: "%@ (%@ %@): %.2f%% of %d held-out examples; ", judge.name, judge.architecture,
                    judge.widths.map(String.init).joined(separator: ","), 100 * judge.heldOut.accuracy,
                    judge.heldOut.testCount) + perClass.joined(separator: ", "))
        }
    }
}
