import Foundation
import StudioEvaluation
import StudioPipelines

/// The findings of an experiment with replicates: every arm trained again with GAN seeds
/// `seed + 1`, `seed + 2`, ..., so that a difference between arms can be set beside the variation
/// between training runs.
extension ExperimentRunner {
    /// Each run of `name` (the arm itself and its replicates) by GAN seed.
    static func runsByGANSeed(_ report: ExperimentReport, of name: String) -> [UInt64: String] {
        Dictionary(
            report.arms.map(\.arm).filter { $0.name == name || $0.replicateOf == name }.map {
                ($0.ganSeed ?? report.settings.firstGANSeed, $0.name)
            }, uniquingKeysWith: { first, _ in first })
    }

    /// With replicates: the shift of the mean detector statistic of generated target examples,
    /// `arm` minus `baseline`, in each training run (runs paired by GAN seed), and its Student-t
    /// interval over runs; the seen classes' mean shifts give the scale of drift where nothing was
    /// planted.
    static func replicateFinding(_ report: ExperimentReport, arm: String, baseline: String) -> String? {
        // Runs pair by GAN seed.
        let armRuns = runsByGANSeed(report, of: arm)
        let baselineRuns = runsByGANSeed(report, of: baseline)
        let seeds = armRuns.keys.filter { baselineRuns[$0] != nil }.sorted()
        func shifts(_ className: String) -> [(seed: UInt64, shift: Double)] {
            seeds.compactMap { seed in
                guard let shifted = report.row(armRuns[seed]!, className),
                    let base = report.row(baselineRuns[seed]!, className)
                else { return nil }
                return (seed, Double(shifted.meanStatistic - base.meanStatistic))
            }
        }
        let target = shifts(report.target)
        guard let shift = ReplicateShift(target.map(\.shift)) else { return nil }
        let toward = (shift.mean > 0) == report.detector.markerRaises
        let perRun = target.map { String(format: "seed %llu %+.3f", $0.seed, $0.shift) }.joined(separator: ", ")
        var line =
            String(
                format: "Over %d training runs per arm, the %@ arm's generated %@ minus the %@ arm's: mean shift %+.3f "
                    + "(Student-t 95%% interval %+.3f to %+.3f; ",
                target.count, arm, report.target, baseline, shift.mean, shift.lower, shift.upper) + perRun + "): "
        line +=
            shift.excludesZero
            ? "the interval excludes 0: the variation between training runs does not account for the shift, "
                + "\(toward ? "towards" : "away from") the feature"
            : "the interval includes 0: over \(target.count) runs the shift cannot be told from 0"
        let seen = report.rows.filter { $0.source == arm && $0.className != report.target }.map(\.className)
        let seenShifts = seen.compactMap { name -> String? in
            let values = shifts(name).map(\.shift)
            guard values.count == target.count else { return nil }
            return String(format: "%@ %+.3f", name, values.reduce(0, +) / Double(values.count))
        }
        if !seenShifts.isEmpty {
            line += " (seen classes, mean shift over the same runs: " + seenShifts.joined(separator: ", ") + ")"
        }
        return line + "."
    }

    /// With replicates: the detection rate of generated target examples in each training run of
    /// `arms` (by GAN seed), their mean over runs with a Student-t 95% interval, how many runs reach
    /// `strong` (the issue's 80%), and the judge's recognition of those examples per run. A rate
    /// pooled over runs would hide that a feature can appear in one run and not at all in another.
    static func replicateDetectionFinding(_ report: ExperimentReport, arms: [String], strong: Double = 0.8)
        -> String?
    {
        let target = report.target
        var parts: [String] = []
        var judged: [String] = []
        for arm in arms {
            let runs = runsByGANSeed(report, of: arm).sorted { $0.key < $1.key }
            let rows = runs.compactMap { seed, name in report.row(name, target).map { (seed, $0) } }
            guard rows.count >= 2 else { continue }
            let rates = rows.map { $0.1.detection.rate }
            let mean = rates.reduce(0, +) / Double(rates.count)
            let interval =
                ReplicateShift(rates).map {
                    String(
                        format: " (Student-t 95%% interval %.1f to %.1f%%, clipped to 0-100%%)",
                        100 * max(0, $0.lower), 100 * min(1, $0.upper))
                } ?? ""
            let perRun = rows.map { String(format: "%.1f%% (seed %llu)", 100 * $0.1.detection.rate, $0.0) }
            let reaching = rates.filter { $0 >= strong }.count
            parts.append(
                "\(arm) " + perRun.joined(separator: ", ")
                    + String(format: "; mean %.1f%%", 100 * mean) + interval
                    + String(format: "; %d of %d runs at %.0f%% or more", reaching, rates.count, 100 * strong))
            let judge = rows.compactMap { seed, row in
                row.judgeRecognition.map { String(format: "%.1f%% (seed %llu)", 100 * $0, seed) }
            }
            if judge.count == rows.count { judged.append("\(arm) " + judge.joined(separator: ", ")) }
        }
        guard !parts.isEmpty else { return nil }
        var line = "Per training run, generated \(target) carrying the feature: " + parts.joined(separator: "; ") + "."
        if !judged.isEmpty {
            line += " The judge recognises those \(target) as \(target) in: " + judged.joined(separator: "; ") + "."
        }
        return line
    }
}
