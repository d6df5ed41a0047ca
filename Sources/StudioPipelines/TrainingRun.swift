import Foundation
import ProbeGAN
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioModels
import StudioNN
import StudioSupport
import StudioTensor

/// Callbacks of a training run: log lines, progress, and the Ctrl-C flag.
public struct TrainingHooks: Sendable {
    /// A line for the user.
    public var log: @Sendable (String) -> Void
    /// Progress of a phase: title, done, total, detail (losses).
    public var progress: @Sendable (String, Int, Int, Int, String) -> Void
    /// True once the user asked to stop (Ctrl-C): the run writes a checkpoint and stops.
    public var shouldStop: @Sendable () -> Bool

    /// Hooks.
    public init(
        log: @escaping @Sendable (String) -> Void,
        progress:
            @escaping @Sendable (_ title: String, _ done: Int, _ total: Int, _ startedAt: Int, _ detail: String)
            -> Void,
        shouldStop: @escaping @Sendable () -> Bool
    ) {
        self.log = log
        self.progress = progress
        self.shouldStop = shouldStop
    }
}

/// `studio train`: ProbeGAN and its baselines, end to end, in a resumable run folder.
public enum TrainingRun {
    /// Trains (or, with `resume`, continues) a run and writes its summary.
    public static func run(_ request: TrainingRequest, resume: Bool, hooks: TrainingHooks) throws -> RunSummary {
        try run(
            request, resuming: resume ? try RunFolder(request.runFolder).readResolvedConfiguration() : nil, hooks: hooks
        )
    }

    /// Trains a run, or continues the one whose `configuration.json` (read once, by the caller) is
    /// `recorded`, and writes its summary.
    ///
    /// With `parallel`, every batch splits into its shards, computed by this process's threads and,
    /// under `mpirun`, by the other ranks, which follow this one (see `DataParallelSetup`).
    public static func run(
        _ request: TrainingRequest, resuming recorded: ResolvedRunConfiguration?, hooks: TrainingHooks,
        parallel: DataParallelSetup? = nil
    )
        throws -> RunSummary
    {
        let resume = recorded != nil
        let folder = RunFolder(request.runFolder)
        // One process per run folder: a second one (or a second --resume) stops here.
        let lock = try FolderLock(request.runFolder)
        defer { lock.release() }
        if !resume && FileManager.default.fileExists(atPath: folder.lastCheckpoint) {
            throw RunError.resumeMismatch(
                reason: "\(request.runFolder) already holds a run; continue it with --resume \(request.runFolder) "
                    + "or pass another --out")
        }
        var (train, test) = try ClassifierPipelines.data(request.source, cacheFolder: request.cacheFolder) {
            done, total in hooks.progress("reading", done, total, 0, "")
        }
        if let variant = request.imageVariant {
            train = try variant.apply(to: train, split: .train)
            test = try variant.apply(to: test, split: .test)
            hooks.log("data variant \(variant.name): \(variant.purpose)")
        }
        let names = train.classNames
        var unseen = [Int]()
        for name in request.unseen {
            guard let label = names.firstIndex(of: name) else {
                throw ProbeGANError.unknownClass(name: name, known: names)
            }
            if !unseen.contains(label) { unseen.append(label) }
        }
        unseen.sort()
        if unseen.count == names.count { throw ProbeGANError.everyClassUnseen(classes: names) }
        for label in unseen where !train.labels.contains(label) && request.method == .oracle {
            throw ProbeGANError.classWithoutData(name: names[label])
        }
        let classifier = try loadClassifier(request, train: train, hooks: hooks)
        let judge = try loadJudge(request, train: train, hooks: hooks)
        var configuration = ProbeGANConfiguration(
            method: request.method, preset: request.preset, classNames: names, unseen: unseen,
            inputShape: [train.channels, train.height, train.width], channelBase: request.channelBase)
        configuration.isSpectrogram = request.isAudio
        configuration.seed = request.seed
        if let value = request.classifierWeight { configuration.classifierWeight = value }
        if let value = request.unseenShare { configuration.unseenShare = value }
        if let value = request.evaluateEvery {
            configuration.evaluateEvery = value
            configuration.checkpointEvery = value
        }
        if let value = request.batchSize { configuration.batchSize = value }
        if let value = request.evaluationSamples { configuration.evaluationSamples = value }
        if let value = request.selection { configuration.selectionFidelity = value }
        if let value = request.seenClassifierWeight { configuration.seenClassifierWeight = value }
        if let value = request.augmentation { configuration.augmentation = value }
        if let value = request.generatorLearningRate { configuration.generatorLearningRate = value }
        if let value = request.discriminatorLearningRate { configuration.discriminatorLearningRate = value }
        if let value = request.discriminatorSteps { configuration.discriminatorSteps = value }
        if configuration.selectionFidelity == .speechLikeness && !configuration.isSpectrogram {
            throw ProbeGANError.missingFidelity(selection: SelectionFidelity.speechLikeness.rawValue)
        }
        if let resolved = recorded {
            // A resumed run keeps its own settings; only the budget and the patience may change.
            guard FileManager.default.fileExists(atPath: folder.lastCheckpoint) else {
                throw RunError.notARun(path: folder.lastCheckpoint)
            }
            // ... and its frozen classifier: a default retrained since (new data or recipe) is another one.
            if let started = resolved.classifierFingerprint,
                started != Fingerprint.ofFile(classifier.path)
            {
                throw RunError.resumeMismatch(
                    reason: "the probed classifier \(classifier.path) is not the one this run started with (its bytes "
                        + "changed: retrained for other data or another recipe); a default moved aside keeps the "
                        + "old bytes as NAME-recipe-*.safetensors beside it: copy that file back to "
                        + "\(classifier.path) to resume, or start a new run")
            }
            configuration = try ProbeGANTrainer.configuration(
                in: Checkpoint.read(from: folder.lastCheckpoint), path: folder.lastCheckpoint)
            // ... and the checkpoint must be this run's: one copied in from another run would continue
            // that run here under this folder's configuration.json.
            if let recorded = resolved.representation, let now = train.representation, recorded != now {
                throw RunError.resumeMismatch(
                    reason: "\(folder.configuration) records inputs \(recorded); the data now gives \(now); resume "
                        + "with the frontend and data the run started with, or start a new run")
            }
            var recorded = resolved.probegan
            recorded.iterations = configuration.iterations
            recorded.patience = configuration.patience
            guard recorded == configuration else {
                throw RunError.resumeMismatch(
                    reason: "\(folder.lastCheckpoint) was written with other settings than \(folder.configuration) "
                        + "records (another run's checkpoint copied in?); put this run's own checkpoint back or start "
                        + "a new run")
            }
        }
        if let value = request.iterations { configuration.iterations = value }
        if let value = request.patience { configuration.patience = value }
        // The one place the unseen classes (and every speaker they share with a seen class) leave
        // the GAN's data; ORACLE keeps them on purpose.
        let selected = TargetAbsence.realData(
            from: train, unseen: configuration.method == .oracle ? [] : configuration.unseen)
        let real = selected.data
        if !selected.removedGroups.isEmpty {
            hooks.log(
                "removed \(selected.removedExamples) seen-class clip(s) of \(selected.removedGroups.count) speaker(s) "
                    + "who also appear in an unseen class: " + selected.removedGroups.prefix(5).joined(separator: ", ")
                    + (selected.removedGroups.count > 5 ? ", ..." : ""))
        }

        let trainer = try ProbeGANTrainer(configuration: configuration, realData: real, classifier: classifier.model)
        if configuration.isSpectrogram {
            // Measured and logged at every evaluation; it decides near-ties only with
            // --selection speech-likeness. Drawn from the GAN's own (seen-class) training clips.
            let fidelity = try SpeechLikenessFidelity(data: trainer.realData, seed: configuration.seed &+ 5)
            trainer.attach(fidelity: fidelity)
            hooks.log(
                "speech-likeness reference: \(fidelity.referenceClips) training clips of the seen classes rendered"
                    + (configuration.selectionFidelity == .speechLikeness
                        ? " (it breaks near-ties of the selection score)" : ""))
        }
        let proof = TargetAbsence.proof(
            consumed: trainer.realData, reference: [train, test], unseen: configuration.unseen, removed: selected)
        if !proof.holds && configuration.method != .oracle {
            throw RunError.targetAbsenceViolated(violations: proof.violations)
        }
        if resume {
            if let recorded = try folder.readAbsenceProof(), recorded.consumedFingerprint != proof.consumedFingerprint {
                throw RunError.resumeMismatch(
                    reason: "the real data differs from the data \(request.runFolder) started with (manifest.json: "
                        + "\(recorded.consumedExamples) clips, fingerprint \(recorded.consumedFingerprint); now "
                        + "\(proof.consumedExamples), \(proof.consumedFingerprint)); resume with the run's own data "
                        + "(--data as recorded in configuration.json) or start a new run")
            }
            try trainer.restore(from: Checkpoint.read(from: folder.lastCheckpoint), path: folder.lastCheckpoint)
            try folder.truncateMetrics(after: trainer.iteration)
            // A new budget, patience or summary size is part of the run from now on: its
            // configuration.json keeps reproducing it.
            if var updated = recorded, let started = updated.request, started != request {
                updated.request = request
                try folder.write(updated)
            }
            hooks.log("resuming \(request.runFolder) at iteration \(trainer.iteration)")
        } else {
            try folder.create()
            try folder.writeConfiguration(
                configuration, request: request, classifierPath: classifier.path,
                classifierHash: classifier.summary.dataHash,
                judgePath: judge.path, representation: train.representation)
            try folder.writeManifest(request: request, realData: selected, proof: proof)
        }
        hooks.log(
            "training \(configuration.method.rawValue) (\(configuration.preset.rawValue)): unseen "
                + unseen.map { names[$0] }.joined(separator: ", ") + ", classifier \(request.classifier.label), "
                + "G \(trainer.generator.parameterCount) and D \(trainer.discriminator.parameterCount) parameters, "
                + "\(real.count) real clips of "
                + (configuration.method == .oracle
                    ? "every class (ORACLE: the unseen class's clips on purpose)" : "seen classes"))
        if let parallel {
            try trainer.computeShards(parallel.group.localShards, of: parallel.group)
            try parallel.start(trainer, folder: folder, classifierPath: classifier.path)
            hooks.log(
                "data parallel: every batch of \(configuration.batchSize) in \(parallel.group.shardCount) shards, "
                    + "\(parallel.group.world?.size ?? 1) process(es) of \(parallel.group.localShards.count) thread(s)")
        }
        let artifacts = RunArtifacts(folder: folder, configuration: configuration)
        let stopReason = try loop(
            trainer, folder: folder, artifacts: artifacts, judge: judge.model, hooks: hooks, parallel: parallel)
        if configuration.method == .ganAM {
            try searchEmbeddings(trainer, folder: folder, classifier: classifier.model, hooks: hooks)
        }
        let summary = try RunEvaluation.summarize(
            folder: folder, configuration: configuration, classifierLabel: request.classifier.label, test: test,
            judge: judge.model, classifier: classifier.model, samples: request.summarySamples,
            stopReason: stopReason, trainer: trainer)
        try artifacts.writeFinalPictures(summaryGenerator: try folder.loadBestGenerator(configuration))
        return summary
    }

    static func loadJudge(_ request: TrainingRequest, train: ClassificationData, hooks: TrainingHooks) throws
        -> (model: any ImageClassifier, summary: ClassifierSummary, path: String)
    {
        guard let path = request.judgePath else {
            return try DefaultClassifiers.ensure(
                .judge, data: train, audio: request.isAudio, dataName: request.dataName,
                cacheFolder: request.cacheFolder, log: hooks.log, progress: { hooks.progress($0, $1, $2, 0, "") })
        }
        let (model, summary) = try ClassifierPipelines.load(checkpoint: path)
        guard summary.classNames == train.classNames, summary.inputShape == [train.channels, train.height, train.width]
        else {
            throw RunError.classifierMismatch(
                reason: "the judge \(path) knows \(summary.classNames) at \(summary.inputShape), the data has "
                    + "\(train.classNames) at \([train.channels, train.height, train.width])")
        }
        if let conflict = summary.representationConflict(with: train.representation) {
            throw RunError.classifierMismatch(reason: "the judge \(path): \(conflict)")
        }
        return (model, summary, path)
    }

    static func loadClassifier(_ request: TrainingRequest, train: ClassificationData, hooks: TrainingHooks) throws
        -> (model: any ImageClassifier, summary: ClassifierSummary, path: String)
    {
        let loaded: (model: any ImageClassifier, summary: ClassifierSummary, path: String)
        switch request.classifier {
        case .regular, .robust:
            loaded = try DefaultClassifiers.ensure(
                request.classifier == .regular ? .regular : .robust, data: train, audio: request.isAudio,
                dataName: request.dataName, cacheFolder: request.cacheFolder, log: hooks.log,
                progress: { hooks.progress($0, $1, $2, 0, "") })
        case .path(let path):
            let (model, summary) = try ClassifierPipelines.load(checkpoint: path)
            loaded = (model, summary, path)
        }
        guard loaded.summary.classNames == train.classNames else {
            throw RunError.classifierMismatch(
                reason: "it knows \(loaded.summary.classNames), the data has \(train.classNames)")
        }
        guard loaded.summary.inputShape == [train.channels, train.height, train.width] else {
            throw RunError.classifierMismatch(
                reason:
                    "it takes \(loaded.summary.inputShape), the data is \([train.channels, train.height, train.width])"
            )
        }
        if let conflict = loaded.summary.representationConflict(with: train.representation) {
            throw RunError.classifierMismatch(reason: conflict)
        }
        return loaded
    }

    /// The iteration loop: losses to metrics, leak-free evaluations (best EMA generator kept),
    /// periodic atomic checkpoints, Ctrl-C and divergence handling.
    static func loop(
        _ trainer: ProbeGANTrainer, folder: RunFolder, artifacts: RunArtifacts, judge: any ImageClassifier,
        hooks: TrainingHooks, parallel: DataParallelSetup? = nil
    ) throws -> String {
        // However the loop ends (budget, stopping rule, Ctrl-C, an error), the other ranks stop with it.
        defer { parallel?.announce(iterate: false) }
        let configuration = trainer.configuration
        let start = Date()
        let startedAt = trainer.iteration
        var lastCheckpointIteration = trainer.iteration
        var metrics = try folder.openMetrics()
        defer { try? metrics.close() }
        func saveCheckpoint() throws {
            try trainer.checkpoint(elapsedSeconds: Date().timeIntervalSince(start)).write(to: folder.lastCheckpoint)
            lastCheckpointIteration = trainer.iteration
        }
        var detail = ""
        while !trainer.isFinished {
            if hooks.shouldStop() {
                try saveCheckpoint()
                // An absolute path: the printed command continues the run from any folder.
                throw RunError.interrupted(
                    iteration: trainer.iteration, runFolder: URL(fileURLWithPath: folder.path).standardizedFileURL.path)
            }
            let record: ProbeGANTrainer.IterationRecord
            parallel?.announce(iterate: true)
            do {
                record = try trainer.trainIteration()
            } catch ProbeGANError.diverged(let iteration, let message) {
                let kept = FileManager.default.fileExists(atPath: folder.lastCheckpoint) ? folder.lastCheckpoint : nil
                throw RunError.diverged(iteration: iteration, detail: message, checkpoint: kept)
            }
            let seconds = trainer.previousSeconds + Date().timeIntervalSince(start)
            if record.iteration % 10 == 0 || record.iteration == 1 {
                try metrics.append(IterationMetrics(record, seconds: seconds))
            }
            detail = String(
                format: "D %.3f G %.3f CE %.3f", record.discriminator.total, record.generator.total,
                record.generator.classification)
            hooks.progress("train", trainer.iteration, configuration.iterations, startedAt, detail)
            if trainer.isEvaluationDue {
                let (result, samples, isBest, sampling) = try trainer.evaluate()
                let judged = RunEvaluation.judgeRecognition(samples: samples, judge: judge)
                try metrics.append(
                    EvaluationMetrics(
                        iteration: trainer.iteration, seconds: seconds, names: configuration.classNames,
                        result: result, judge: judged, isBest: isBest))
                if isBest { try folder.writeBestGenerator(sampling, trainer: trainer) }
                try artifacts.writeEvaluationSamples(samples, iteration: trainer.iteration)
                hooks.log(
                    "iteration \(trainer.iteration): selection score "
                        + String(format: "%.3f", result.score)
                        + (result.meanSeenDistance.map { String(format: ", seen-class distance %.2f", $0) } ?? "")
                        + (result.fidelity.map { Self.speechLikenessSummary($0, names: configuration.classNames) } ?? "")
                        + (isBest ? " (best so far)" : "")
                        + " | judge (reporting only): "
                        + judged.enumerated().compactMap { index, value in
                            value.map { String(format: "%@ %.2f", configuration.classNames[index], $0) }
                        }.joined(separator: ", "))
            }
            if trainer.iteration - lastCheckpointIteration >= configuration.checkpointEvery { try saveCheckpoint() }
        }
        try saveCheckpoint()
        try artifacts.writeCurves(metrics: folder.metrics)
        if trainer.iteration >= configuration.iterations { return budgetStopReason(configuration.iterations) }
        return "stopping rule: no better selection score for \(configuration.patience) evaluations"
    }

    /// The log's words for a speech-likeness measurement: per seen class its distance, per class
    /// its F0 movement.
    static func speechLikenessSummary(_ measurement: FidelityMeasurement, names: [String]) -> String {
        let distances = measurement.distances.enumerated().compactMap { label, value in
            value.map { String(format: "%@ %.2f", names[label], $0) }
        }
        let movements = measurement.statistics.enumerated().compactMap { label, value in
            value?["f0Movement"].map { String(format: "%@ %.2f", names[label], $0) }
        }
        return (distances.isEmpty ? "" : "; speech-likeness distance " + distances.joined(separator: ", "))
            + (movements.isEmpty ? "" : "; F0 movement (st) " + movements.joined(separator: ", "))
    }

    /// The stop reason of a run that trained its whole budget of `iterations`.
    public static func budgetStopReason(_ iterations: Int) -> String { "iteration budget (\(iterations))" }

    /// GAN-AM's second stage: an embedding search per unseen class on the selected generator; the
    /// found embeddings replace the unseen rows, and the result is the run's generator.
    static func searchEmbeddings(
        _ trainer: ProbeGANTrainer, folder: RunFolder, classifier: any ImageClassifier, hooks: TrainingHooks
    ) throws {
        let configuration = trainer.configuration
        let generator = try folder.loadBestGenerator(configuration)
        var search = ClassEmbeddingSearch()
        search.steps = configuration.searchSteps
        search.learningRate = configuration.searchLearningRate
        search.weightDecay = configuration.searchWeightDecay
        var rows = generator.classEmbeddings.value.scalars
        let width = generator.classEmbeddings.value.shape[1]
        for target in configuration.unseen {
            let (embedding, losses) = try search.search(
                generator: generator, classifier: classifier, target: target, seenClasses: configuration.seen,
                seed: configuration.seed &+ UInt64(target))
            rows.replaceSubrange((target * width)..<((target + 1) * width), with: embedding)
            hooks.log(
                "GAN-AM: embedding of \(configuration.classNames[target]) searched in \(losses.count) steps, "
                    + String(format: "cross-entropy %.3f -> %.3f", losses.first ?? 0, losses.last ?? 0))
        }
        generator.classEmbeddings.value = Tensor(shape: generator.classEmbeddings.value.shape, scalars: rows)
        // The base GAN's selected iteration stays the run's selected iteration.
        try folder.writeBestGenerator(
            generator, trainer: trainer, selectedIteration: try folder.readRun().selectedIteration,
            note: "gan-am embedding search")
    }
}
