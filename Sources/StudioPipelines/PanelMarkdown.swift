import Foundation

/// The judge panel's part of `studio evaluate`'s Markdown: per run, every judge's recognition of
/// each class, the median, the range and the majority vote, generated beside real held-out clips.
enum PanelMarkdown {
    /// What the panel numbers are and are not.
    static let notes = [
        "The judge panel: five classifiers of three architecture families (VGG-style, residual, plain) with other "
            + "widths, augmentation, seeds and weight selection (early stopping on held-out training speakers, or "
            + "the average of the last five epochs), trained on the training split only, never used for training, "
            + "selection or stopping. Majority: clips that more than "
            + "half of the judges call the class (Wilson 95% interval). The real held-out rows show how far the "
            + "judges disagree where the answer is known; a wider range on generated clips is disagreement the "
            + "generated clips cause."
    ]

    /// The tables of every run with a panel verdict.
    static func tables(_ runs: [EvaluatedRun], notes: [String]) -> String {
        EvaluationSections.render(runs, notes: notes) { run in
            guard let panel = run.panel else { return nil }
            var lines = [
                "", "## \(URL(fileURLWithPath: run.run).lastPathComponent): the judge panel", "",
                "Judges (accuracy on every real held-out clip): "
                    + panel.judges.map {
                        String(format: "%@ (%@, %.1f%%)", $0.name, $0.architecture, 100 * $0.heldOutAccuracy)
                    }.joined(separator: ", ") + ".", "",
                "| class | clips | " + panel.judges.map(\.name).joined(separator: " | ")
                    + " | median | range | majority (95% CI) |",
                "|---|---|" + panel.judges.map { _ in "---|" }.joined() + "---|---|---|",
            ]
            for item in panel.classes {
                let name = item.name + (item.unseen ? " (unseen)" : "")
                lines.append(row(name + ": generated", item.generated))
                lines.append(row(name + ": real held-out", item.realHeldOut))
            }
            return lines
        }
    }

    static func row(_ label: String, _ recognition: PanelRecognition) -> String {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
        let m = recognition.majority
        return "| \(label) | \(recognition.clips) | " + recognition.byJudge.map(percent).joined(separator: " | ")
            + " | \(percent(recognition.median)) | \(percent(recognition.lowest))-\(percent(recognition.highest)) | "
            + "\(percent(m.rate)) (\(percent(m.lower))-\(percent(m.upper))) |"
    }
}
