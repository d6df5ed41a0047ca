import Foundation
import StudioEvaluation

/// The acoustic part of `studio evaluate`'s Markdown: one table per run, generated clips beside
/// the real and resynthesised held-out clips of each class.
enum AcousticMarkdown {
    /// What the acoustic numbers are and are not.
    static let notes = [
        "Acoustic measures run on the rendered audio (NNLS + 64 Griffin-Lim iterations, as `studio render` writes "
            + "it), the thing a listener hears. The control is the real held-out clips' log-mel images resynthesised "
            + "through the same path: what the inversion alone costs. No model trained on the GAN's data and no judge "
            + "shapes them, and nothing of them reaches training or selection.",
        "Pitch: YIN, 60-450 Hz, 10 ms frames; a clip has a pitch with at least 5 voiced frames. Pitch recognition: a "
            + "pitch-only classifier (per class, a Gaussian over log F0 and voiced share, and the chance of having a "
            + "pitch at all) fitted on the real training clips of every class; on real held-out clips it is that "
            + "classifier's own accuracy, which shows where pitch can decide and where it cannot.",
        "Speech-likeness: per-clip medians of F0 movement (semitones around the clip's median F0), spectral flatness, "
            + "harmonic-to-noise ratio (YIN aperiodicity), envelope modulation (std/mean of the 30 ms RMS envelope) "
            + "and silence share (frames 40 dB below the loudest); diversity is the median pairwise RMS difference of "
            + "log-mel spectrograms in dB. The speech-likeness distance is the Frechet distance of these six features, "
            + "standardised by the pooled real held-out clips, to the real held-out clips of the class (for the real "
            + "row: between two halves of them). A constant harmonic drone passes pitch but not these.",
    ]

    /// The tables of every run with acoustic measures.
    static func tables(_ runs: [EvaluatedRun], notes: [String]) -> String {
        EvaluationSections.render(runs, notes: notes) { run in
            guard let report = run.acoustic else { return nil }
            var lines = [
                "", "## \(URL(fileURLWithPath: run.run).lastPathComponent): acoustic measures of the rendered audio",
                "",
                String(
                    format: "Pitch classifier: fitted on %d real training clips; %.1f%% of all real held-out clips",
                    report.pitchClassifierTrainingClips, 100 * report.pitchHeldOutAccuracy)
                    + (report.pitchMenWomenHeldOutAccuracy.map {
                        String(format: ", %.1f%% of held-out men and women (men against women alone)", 100 * $0)
                    } ?? "") + ".",
                "",
                "| class | clips | with pitch | median F0, Hz (Q1-Q3) | pitch recognition (95% CI) | F0 movement, st "
                    + "| flatness | HNR, dB | envelope modulation | silence | diversity, dB | speech-likeness distance |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for item in report.classes {
                let name = item.name + (item.unseen ? " (unseen)" : "")
                lines.append(row(name + ": generated", item.generated))
                lines.append(row(name + ": real held-out", item.realHeldOut))
                lines.append(row(name + ": resynthesised (control)", item.resynthesised))
            }
            if let picture = report.f0Picture { lines += ["", "F0 histograms: `\(picture)`"] }
            return lines
        }
    }

    static func row(_ label: String, _ set: AcousticSet) -> String {
        func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        let f0 =
            set.medianF0.median.map {
                String(format: "%.0f (%.0f-%.0f)", $0, set.medianF0.lowerQuartile ?? 0, set.medianF0.upperQuartile ?? 0)
            } ?? "-"
        let r = set.pitchRecognition
        return "| \(label) | \(set.clips)" + (set.unmeasuredClips.map { " (+\($0) unmeasured)" } ?? "") + " | "
            + String(format: "%.0f%%", 100 * set.pitchedShare) + " | \(f0) | "
            + String(format: "%.1f%% (%.1f-%.1f)", 100 * r.rate, 100 * r.lower, 100 * r.upper) + " | "
            + [
                number(set.f0Movement.median, "%.2f"), number(set.spectralFlatness.median, "%.3f"),
                number(set.harmonicToNoise.median, "%.1f"), number(set.envelopeModulation.median, "%.2f"),
                number(set.silenceShare.median, "%.2f"), number(set.diversity, "%.1f"),
                number(set.speechLikenessDistance, "%.2f"),
            ].joined(separator: " | ") + " |"
    }
}
