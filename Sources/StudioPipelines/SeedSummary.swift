import Foundation
import StudioEvaluation

/// One measure over the GAN seeds of a seeds folder.
public struct SeedMean: Sendable, Codable {
    /// The measure of each seed, in the folder's seed order.
    public let values: [Double]
    /// Their mean, and the Student-t 95% interval over seeds, clipped to the measure's range (nil
    /// with fewer than two seeds or when every seed gave the same value).
    public let mean: Double, lower: Double?, upper: Double?

    /// The mean of `values` with its interval, clipped to `range` (a rate lies in 0...1, a
    /// distance is at least 0: three seeds that disagree give a t interval wider than that).
    init(_ values: [Double], range: ClosedRange<Double> = 0...1) {
        self.values = values
        let interval = ReplicateShift(values)
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        lower = interval.map { min(max($0.lower, range.lowerBound), range.upperBound) }
        upper = interval.map { min(max($0.upper, range.lowerBound), range.upperBound) }
    }
}

/// One class over the seeds of a seeds folder.
public struct SeedClassSummary: Sendable, Codable {
    /// The class and whether the GAN was denied it.
    public let name: String, unseen: Bool
    /// The run's judge's recognition, the panel's majority recognition, the pitch classifier's
    /// recognition and the speech-likeness distance, over seeds (nil where not measured).
    public let judge: SeedMean, panelMajority: SeedMean?, pitchRecognition: SeedMean?,
        speechLikenessDistance: SeedMean?
}

/// Every seed of one `studio train --seeds` folder, and the mean over seeds.
public struct SeedSummary: Sendable, Codable {
    /// The seeds folder, its seeds and their selected iterations.
    public let folder: String, seeds: [UInt64], selectedIterations: [Int]
    /// Per class.
    public let classes: [SeedClassSummary]

    /// The summary of `runs`, the evaluated seed runs of `folder` in seed order (one judge each).
    init(folder: String, seeds: [UInt64], runs: [EvaluatedRun]) {
        self.folder = folder
        self.seeds = seeds
        selectedIterations = runs.map(\.selectedIteration)
        let names = runs.first?.classes.map(\.name) ?? []
        classes = names.map { name in
            func values(_ range: ClosedRange<Double> = 0...1, _ read: (EvaluatedRun) -> Double?) -> SeedMean? {
                let found = runs.compactMap(read)
                return found.count == runs.count ? SeedMean(found, range: range) : nil
            }
            return SeedClassSummary(
                name: name, unseen: runs.first?.classes.first { $0.name == name }?.unseen ?? false,
                judge: values { $0.classes.first { $0.name == name }?.judgeRecognition.rate } ?? SeedMean([]),
                panelMajority: values { $0.panel?.classes.first { $0.name == name }?.generated.majority.rate },
                pitchRecognition: values {
                    $0.acoustic?.classes.first { $0.name == name }?.generated.pitchRecognition.rate
                },
                speechLikenessDistance: values(0...Double.infinity) {
                    $0.acoustic?.classes.first { $0.name == name }?.generated.speechLikenessDistance
                })
        }
    }

    /// The summary as Markdown.
    var markdown: String {
        func cell(_ mean: SeedMean?, percent: Bool) -> String {
            guard let mean else { return "-" }
            let scale = percent ? 100.0 : 1.0
            let format = percent ? "%.1f%%" : "%.2f"
            let values = mean.values.map { String(format: format, scale * $0) }.joined(separator: ", ")
            let interval =
                mean.lower.map {
                    " (" + String(format: format, scale * $0) + " to " + String(format: format, scale * mean.upper!)
                        + ")"
                } ?? ""
            return String(format: format, scale * mean.mean) + interval + "; seeds: " + values
        }
        var lines = [
            "", "## \(URL(fileURLWithPath: folder).lastPathComponent): \(seeds.count) GAN seeds", "",
            "Seeds \(seeds.map(String.init).joined(separator: ", ")); selected iterations "
                + selectedIterations.map(String.init).joined(separator: ", ")
                + ". Mean over seeds (Student-t 95% interval over seeds, clipped to the measure's range); then each seed.",
            "",
            "| class | judge recognition | panel majority | pitch recognition | speech-likeness distance |",
            "|---|---|---|---|---|",
        ]
        for item in classes {
            lines.append(
                "| \(item.name)\(item.unseen ? " (unseen)" : "") | \(cell(item.judge, percent: true)) | "
                    + "\(cell(item.panelMajority, percent: true)) | \(cell(item.pitchRecognition, percent: true)) | "
                    + "\(cell(item.speechLikenessDistance, percent: false)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
