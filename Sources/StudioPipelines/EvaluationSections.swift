import Foundation

/// The per-run sections of `studio evaluate`'s Markdown beyond the judge's table.
enum EvaluationSections {
    /// One section per run (each run once, however many judges scored it) for which `section`
    /// gives lines, then `notes`; empty when no run has any.
    static func render(_ runs: [EvaluatedRun], notes: [String], section: (EvaluatedRun) -> [String]?) -> String {
        var seen = Set<String>()
        var lines = [String]()
        for run in runs where seen.insert(run.run).inserted {
            if let more = section(run) { lines += more }
        }
        guard !lines.isEmpty else { return "" }
        return (lines + [""] + notes.map { "- " + $0 }).joined(separator: "\n") + "\n"
    }
}
