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
            prints each judge's accuracy on the held-out test split, overall and per class.
            """)

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Option(help: "Override every judge's epoch budget (a quick look; kept apart from the default panel).")
    var epochs: Int?

    @Flag(help: "Print the JSON report.")
    var json = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        let source = try dataOptions.source()
        let (train, test) = try dataOptions.loadData()
        var audio = false
        if case .audio = source { audio = true }
        nonisolated(unsafe) var bar: ProgressBar?
        nonisolated(unsafe) var title = ""
        let log: (String) -> Void = { print($0) }
        let panel = try JudgePanel.ensure(
            data: train, audio: audio, dataName: source.dataName, cacheFolder: dataOptions.location.cacheFolder,
            epochs: epochs, log: log
        ) { name, done, total in
            if name != title {
                title = name
                bar = ProgressBar(name, total: total)
            }
            bar?.update(done)
        }
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
