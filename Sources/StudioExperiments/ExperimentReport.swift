import Foundation
import StudioAudio
import StudioEvaluation
import StudioImage
import StudioPipelines
import StudioSupport

/// What a controlled experiment measured (`report.json`; `report.md` says the same in words).
public struct ExperimentReport: Sendable, Codable {
    /// `marker` or `spurious`.
    public var experiment: String
    /// The question the experiment answers.
    public var question: String
    /// The target class (unseen by the GAN in every arm that keeps the absence constraint).
    public var target: String
    /// The planted feature.
    public var feature: String
    /// The detector and how it was calibrated.
    public var detector: MarkerDetector
    /// How the detector's statistic reads, in words.
    public var detectorDescription: String
    /// The probed classifiers' reliance on the feature.
    public var classifiers: [ClassifierCheck]
    /// The arms, with their runs' selected iteration and training time.
    public var arms: [ArmRecord]
    /// Detection on generated clips of every arm, then on real clips.
    public var rows: [DetectionRow]
    /// The findings, one sentence each, with the numbers.
    public var findings: [String]
    /// How to read it.
    public var notes: [String]
    /// The settings.
    public var settings: ExperimentSettings

    /// One arm and its run.
    public struct ArmRecord: Sendable, Codable {
        /// The arm.
        public var arm: ExperimentArm
        /// Iterations trained, the selected one, wall time of training.
        public var iterations: Int, selectedIteration: Int, trainingSeconds: Double
        /// The iteration of the generator measured, when it is not the selected one (`--generator last`).
        public var measuredIteration: Int? = nil
    }

    /// The row of `source` and `className`.
    public func row(_ source: String, _ className: String) -> DetectionRow? {
        rows.first { $0.source == source && $0.className == className }
    }
}

/// Writes an experiment's report: Markdown, JSON, a grid of target-class spectrograms per arm, the
/// detector statistic's distributions, and WAVs to listen to.
enum ExperimentReportWriter {
    static func percent(_ interval: WilsonInterval) -> String {
        String(
            format: "%.1f%% (%.1f-%.1f; %d/%d)", 100 * interval.rate, 100 * interval.lower, 100 * interval.upper,
            interval.successes, interval.trials)
    }

    /// `report.md`.
    static func markdown(_ report: ExperimentReport) -> String {
        let diagnostic = report.settings.isLastGeneratorDiagnostic
        var lines = [
            "# Experiment: \(report.experiment), target class \(report.target)"
                + (diagnostic ? " (DIAGNOSTIC: every arm's last generator, not the selected one)" : ""), "",
            report.question, "",
            "Planted feature: \(report.feature).", "",
            "## Findings", "",
        ]
        lines += report.findings.map { "- \($0)" }
        lines += [
            "", "## Arms", "",
            "| arm | what | GAN data | iterations (selected\(diagnostic ? "; measured" : "")) | training |",
            "|---|---|---|---|---|",
        ]
        for record in report.arms {
            lines.append(
                "| \(record.arm.name) | \(record.arm.title) | "
                    + (record.arm.absenceViolated
                        ? "**includes the marked \(report.target) examples (absence violated on purpose)**"
                        : "no \(report.target) \(report.settings.isImage ? "picture" : "clip")")
                    + " | \(record.iterations) (\(record.selectedIteration)"
                    + (record.measuredIteration.map { "; \($0)" } ?? "") + ") | "
                    + String(format: "%.0f s", record.trainingSeconds) + " |")
        }
        lines += [
            "", "## Detection (\(report.detectorDescription))", "",
            "| clips | class | feature detected (Wilson 95%) | mean statistic | judge recognition |",
            "|---|---|---|---|---|",
        ]
        for row in report.rows {
            lines.append(
                "| \(row.source) | \(row.className) | \(percent(row.detection)) | "
                    + String(format: "%.3f", row.meanStatistic) + " | "
                    + (row.judgeRecognition.map { String(format: "%.1f%%", 100 * $0) } ?? "-") + " |")
        }
        lines += [
            "", "## Probed classifiers", "",
            "| classifier | trained on | held-out accuracy (clean) | \(report.target), clean | \(report.target), with the feature |",
            "|---|---|---|---|---|",
        ]
        for check in report.classifiers {
            lines.append(
                "| \(check.name) | \(check.trainedOn) | "
                    + String(
                        format: "%.1f%% | %.1f%% | %.1f%%", 100 * check.accuracyClean, 100 * check.targetAccuracyClean,
                        100 * check.targetAccuracyWithFeature) + " |")
        }
        lines += ["", "## Notes", ""] + report.notes.map { "- \($0)" }
        let settings = report.settings
        lines += [
            "",
            "Pictures: `\(settings.outputName("grid", extension: "png"))` (real and generated \(report.target) "
                + "examples per arm), `\(settings.outputName("statistic", extension: "png"))` (the detector "
                + "statistic's distribution per set, with the threshold). "
                + (diagnostic
                    ? "No WAVs or pictures per arm: `\(settings.isImage ? "samples" : "listen")/` holds the selected "
                        + "generators'."
                    : settings.isImage ? "Generated pictures: `samples/`." : "Clips: `listen/`."),
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Everything, into the experiment's folder.
    static func write(
        _ report: ExperimentReport, settings: ExperimentSettings, shape: (channels: Int, height: Int, width: Int),
        gridRows: [(label: String, tiles: [[Float]])], statistics: [(name: String, values: [Float])],
        listenSources: [(name: String, files: [String])]
    ) throws {
        try AtomicFile.write(
            try RunFolder.json(report), to: settings.path(settings.outputName("report", extension: "json")))
        try AtomicFile.write(
            Data(markdown(report).utf8), to: settings.path(settings.outputName("report", extension: "md")))
        var grid = try SampleGrid(
            channels: shape.channels, height: shape.height, width: shape.width,
            style: settings.isImage ? .picture : .spectrogram(.magma))
        grid.scale = settings.isImage ? 3 : 2
        try PNGFile.write(grid.render(rows: gridRows), to: settings.path(settings.outputName("grid", extension: "png")))
        try PNGFile.write(
            histogram(statistics, threshold: report.detector.threshold).render(),
            to: settings.path(settings.outputName("statistic", extension: "png")))
        for source in listenSources {
            let folder = settings.path("listen/\(source.name)")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in source.files {
                let destination = URL(fileURLWithPath: folder).appendingPathComponent(
                    URL(fileURLWithPath: file).lastPathComponent
                ).path
                try? FileManager.default.removeItem(atPath: destination)
                try FileManager.default.copyItem(atPath: file, toPath: destination)
            }
        }
    }

    /// The statistic's distribution per set (share of clips per bin) and the threshold.
    static func histogram(_ sets: [(name: String, values: [Float])], threshold: Float) -> LinePlot {
        let all = sets.flatMap(\.values) + [threshold]
        let low = Double(all.min() ?? 0)
        let high = max(Double(all.max() ?? 1), low + 1e-3)
        let bins = 30
        let width = (high - low) / Double(bins)
        var series = sets.enumerated().map { index, set -> LinePlot.Series in
            var counts = [Double](repeating: 0, count: bins)
            for value in set.values { counts[min(bins - 1, Int((Double(value) - low) / width))] += 1 }
            let total = Double(max(set.values.count, 1))
            return LinePlot.Series(
                name: set.name,
                points: counts.enumerated().map { (low + (Double($0) + 0.5) * width, $1 / total) },
                color: LinePlot.palette[index % LinePlot.palette.count])
        }
        let top = series.flatMap(\.points).map(\.y).max() ?? 1
        series.append(
            LinePlot.Series(
                name: "threshold", points: [(Double(threshold), 0), (Double(threshold), top)], color: RGB(0, 0, 0),
                style: .segments))
        var plot = LinePlot(series: series)
        plot.title = "detector statistic"
        plot.xLabel = "statistic"
        plot.yLabel = "share of clips"
        return plot
    }
}
