import ArgumentParser
import Foundation
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioModels
import StudioPipelines
import StudioSupport

extension ClassifierArchitecture: ExpressibleByArgument {}

/// `studio classifier`: the classifiers ProbeGAN probes, and the independent judge.
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train and evaluate the classifiers to probe (regular or adversarially robust) and the judge.",
        subcommands: [ClassifierTrainCommand.self, ClassifierEvaluateCommand.self, ClassifierPanelCommand.self]
    )
}

/// The data a classifier command works on.
struct ClassifierDataOptions: ParsableArguments {
    enum Modality: String, ExpressibleByArgument { case audio, image }
    enum Dataset: String, ExpressibleByArgument {
        case fashionMNIST = "fashion-mnist"
        case cifar10, folder
    }

    @Option(help: "audio (log-mel 1x64x64) or image.")
    var modality: Modality = .audio

    @Option(
        help:
            "Image mode: fashion-mnist (Debian's dataset-fashion-mnist), cifar10 or folder (PNG class folders under train/ and test/)."
    )
    var dataset: Dataset = .fashionMNIST

    @Option(help: "The data folder: an audio corpus (default: the built default corpus) or the image dataset's folder.")
    var data: String?

    @OptionGroup var location: CorpusLocationOptions

    /// The data source, its folder made absolute so that a run or report that records it can be
    /// read from any working directory.
    func source() throws -> ClassifierDataSource {
        let data = self.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        switch modality {
        case .audio:
            return .audio(corpus: data ?? location.corpusFolder)
        case .image:
            switch dataset {
            case .fashionMNIST: return .fashionMNIST(folder: data ?? FashionMNIST.defaultFolder)
            case .cifar10:
                guard let data else {
                    throw ValidationError("--dataset cifar10 needs --data DIR (the folder of data_batch_*.bin)")
                }
                return .cifar10(folder: data)
            case .folder:
                guard let data else {
                    throw ValidationError("--dataset folder needs --data DIR (with train/CLASS and test/CLASS)")
                }
                return .pngFolders(folder: data)
            }
        }
    }

    func loadData() throws -> (train: ClassificationData, test: ClassificationData) {
        try ClassifierPipelines.data(try source(), cacheFolder: location.cacheFolder) { done, total in
            ProgressBarHolder.shared.update(done, total)
        }
    }
}

extension PerturbationBudget: ExpressibleByArgument {}

/// `studio classifier train`.
struct ClassifierTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier on the training split, with early stopping on held-out training speakers.",
        discussion: """
            --robust l2:EPS or linf:EPS trains with PGD (Madry et al. 2018) in [-1, 1] input units. For \
            audio, l2:1.0 moves a 64x64 log-mel image by an RMS of 0.016 units (about 1 dB) per pixel. \
            --judge trains the independent judge: the VGG-style architecture (widths 16,32,64,128 unless \
            --widths is given) with seed + 1000.
            """)

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Option(help: "residual (the classifier to probe), vgg (the judge's architecture) or plain.")
    var architecture: ClassifierArchitecture = .residual

    @Flag(help: "Train the independent judge (vgg architecture, seed + 1000).")
    var judge = false

    @Option(
        help:
            "Channel widths of the stages, comma-separated (default 16,32,64; the judge 16,32,64,128; the cached audio default classifier uses 24,48,96 with --mixup 0.2)."
    )
    var widths: String?

    @Option(help: "none, l2:EPS or linf:EPS.")
    var robust: PerturbationBudget = .none

    @Option(help: "Maximum epochs.")
    var epochs = 25

    @Option(help: "Examples per step.")
    var batchSize = 64

    @Option(help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Option(help: "Epochs without validation improvement before stopping.")
    var patience = 6

    @Option(help: "Adam's L2 weight decay.")
    var weightDecay: Float = 5e-4

    @Option(
        help:
            "Share of training speakers held out for validation and early stopping; 0: all of them train, nothing validates, the last epoch (or --average-from's average) is kept."
    )
    var validationShare = 0.15

    @Flag(help: "Audio: no gain, time-shift and SpecAugment masking of training clips.")
    var noAugmentation = false

    @Option(
        help:
            "Average the weights of every epoch from this one on and keep the average (stochastic weight averaging), not the best epoch."
    )
    var averageFrom: Int?

    @Option(
        help:
            "Audio: vocal tract length perturbation, a random warp of each training clip's frequency axis by a factor in [1-W, 1+W] (Jaitly and Hinton 2013 used 0.1); 0: none."
    )
    var frequencyWarp: Float = 0

    @Option(help: "Mixup of training batches with Beta(ALPHA, ALPHA) weights (Zhang et al. 2018); 0: none.")
    var mixup: Float = 0

    @Option(help: "PGD steps per training batch when --robust is set.")
    var attackSteps = 7

    @Option(help: "Start from this classifier checkpoint (same network and classes), e.g. to fine-tune it robustly.")
    var from: String?

    @Option(
        help: ArgumentHelp(
            "Checkpoint file (default: CACHE/classifiers/NAME.safetensors, where the default classifiers are cached: "
                + "one trained there with another recipe is moved aside, not used, by the next command that needs "
                + "the default).", valueName: "file"))
    var out: String?

    /// The stage widths: `--widths`, or the default of the network.
    var parsedWidths: [Int] {
        (widths ?? (judge ? "16,32,64,128" : "16,32,64")).split(separator: ",").compactMap { Int($0) }
    }

    func validate() throws {
        let widthText = widths ?? (judge ? "16,32,64,128" : "16,32,64")
        let count = widthText.split(separator: ",").count
        guard !parsedWidths.isEmpty, parsedWidths.count == count, parsedWidths.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--widths must be positive integers separated by commas, got \(widthText)")
        }
        if let averageFrom, !(1...max(epochs, 1)).contains(averageFrom) {
            throw ValidationError(
                "--average-from must be an epoch between 1 and --epochs (\(epochs)), got \(averageFrom)")
        }
        guard (0..<1).contains(validationShare) else {
            throw ValidationError("--validation-share must be at least 0 and below 1, got \(validationShare)")
        }
        guard frequencyWarp >= 0 && frequencyWarp < 0.5 else {
            throw ValidationError("--frequency-warp must be at least 0 and below 0.5, got \(frequencyWarp)")
        }
        if frequencyWarp > 0 && (dataOptions.modality != .audio || noAugmentation) {
            throw ValidationError(
                "--frequency-warp warps mel bands: it needs audio and augmentation (drop --no-augmentation)")
        }
        guard mixup >= 0, mixup.isFinite else { throw ValidationError("--mixup must be 0 or positive, got \(mixup)") }
        if mixup > 0 && robust != .none {
            throw ValidationError("--mixup and --robust do not go together: PGD attacks the unmixed labels; drop one")
        }
    }

    func run() throws {
        let (train, _) = try dataOptions.loadData()
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.learningRate = learningRate
        configuration.budget = robust
        configuration.seed = judge ? seed + 1000 : seed
        configuration.patience = patience
        configuration.weightDecay = weightDecay
        configuration.validationFraction = validationShare
        configuration.attackSteps = attackSteps
        configuration.averagingStart = averageFrom
        if mixup > 0 { configuration.mixup = Mixup(alpha: mixup) }
        if dataOptions.modality == .audio && !noAugmentation {
            var augmentation = SpectrogramAugmentation()
            if frequencyWarp > 0 {
                augmentation.frequencyWarp = try ClassifierPipelines.frequencyWarp(maximum: frequencyWarp)
            }
            configuration.augmentation = augmentation
        }
        let chosen = judge ? ClassifierArchitecture.vgg : architecture
        let name = judge ? "judge" : (robust == .none ? "classifier" : "classifier-robust")
        let path =
            out
            ?? URL(fileURLWithPath: dataOptions.location.cacheFolder).appendingPathComponent(
                "classifiers/\(dataOptions.modality.rawValue)-\(name).safetensors"
            ).path
        nonisolated(unsafe) var bar: ProgressBar?
        let summary = try ClassifierPipelines.train(
            data: train, architecture: chosen, widths: parsedWidths, configuration: configuration, startingFrom: from,
            checkpoint: path
        ) { epoch, done, total in
            // One bar for the whole budget, its detail the epoch.
            if bar == nil { bar = ProgressBar("training", total: configuration.epochs * total) }
            bar?.update((epoch - 1) * total + done, detail: "epoch \(epoch)/\(configuration.epochs)")
        }
        let report = summary.training
        for (epoch, loss) in report.trainLoss.enumerated() {
            let accuracy =
                epoch < report.validationAccuracy.count
                ? String(format: ", validation accuracy %.1f%%", 100 * report.validationAccuracy[epoch]) : ""
            print(String(format: "epoch %d: train loss %.4f", epoch + 1, loss) + accuracy)
        }
        print(
            String(
                format: "kept %@ (%d training, %d validation examples, %.0f examples/s)", report.keptSummary,
                report.trainCount, report.validationCount, report.examplesPerSecond))
        print("wrote \(path)")
    }
}

/// `studio classifier evaluate`.
struct ClassifierEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Clean and PGD-20 robust accuracy on the held-out test split, per class, with a confusion matrix.")

    @OptionGroup var dataOptions: ClassifierDataOptions

    @Option(help: "The classifier checkpoint.")
    var checkpoint: String

    @Option(
        help:
            "Attack budget for robust accuracy: none, l2:EPS or linf:EPS (default: the one it was trained with, else none)."
    )
    var robust: PerturbationBudget?

    @Option(help: "Write the confusion matrix as a PNG here.")
    var png: String?

    @Flag(help: "Print the JSON report.")
    var json = false

    func run() throws {
        let (model, summary) = try ClassifierPipelines.load(checkpoint: checkpoint)
        let (_, test) = try dataOptions.loadData()
        guard test.classNames == summary.classNames else {
            // A 1x64x64 input is a log-mel clip; anything else came from image data.
            let hint =
                summary.inputShape == [1, 64, 64]
                ? "its audio corpus (--data DIR)" : "--modality image (with --dataset or --data for other image data)"
            throw ValidationError(
                "the checkpoint \(checkpoint) knows classes \(summary.classNames), the data has \(test.classNames); "
                    + "evaluate it on the data it was trained on: \(hint)")
        }
        let budget = robust ?? PerturbationBudget(argument: summary.robust) ?? .none
        // PGD-20 over a whole test split takes minutes: a bar with an ETA (on standard error).
        var bar: ProgressBar?
        let report = try ClassifierPipelines.evaluate(model: model, test: test, attack: budget, confusionPNG: png) {
            done, total in
            if bar == nil { bar = ProgressBar("PGD-20 \(budget)", total: total) }
            bar?.update(done)
        }
        if json {
            print(try jsonString(report))
            return
        }
        print(String(format: "held-out test: %d examples, accuracy %.2f%%", report.testCount, 100 * report.accuracy))
        for name in report.classNames {
            print(String(format: "  %@: %.2f%%", name, 100 * (report.perClassAccuracy[name] ?? 0)))
        }
        if let speakers = report.perSpeaker {
            print("per speaker (class, worst first):")
            for speaker in speakers {
                let mistakes = speaker.mistakenFor.sorted { $0.key < $1.key }.map { "\($0.value) as \($0.key)" }
                print(
                    String(
                        format: "  %@ %@: %d of %d (%.1f%%)", speaker.className, speaker.group, speaker.correct,
                        speaker.count, 100 * speaker.accuracy)
                        + (mistakes.isEmpty ? "" : "; " + mistakes.joined(separator: ", ")))
            }
        }
        if let robustAccuracy = report.robustAccuracy {
            print(String(format: "robust accuracy under PGD-20 %@: %.2f%%", report.attack, 100 * robustAccuracy))
        }
        if let png { print("wrote \(png)") }
    }
}
