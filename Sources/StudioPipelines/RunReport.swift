import Foundation
import ProbeGAN
import StudioEvaluation
import StudioSupport

/// `studio report`: one self-contained HTML page per run (pictures and clips embedded as data
/// URIs, so it opens offline and travels as one file): configuration, the target-absence proof,
/// loss and selection curves, the selected iteration's spectrogram grid with an audio player per
/// class, the summary table, the selection trajectory, and E-GBAS results when present.
public enum RunReport {
    /// Writes `DIR/report.html` (or `output`) and returns its path.
    @discardableResult
    public static func write(runFolder: String, output: String? = nil) throws -> String {
        let folder = RunFolder(runFolder)
        let (configuration, selected) = try folder.readRun()
        let base = URL(fileURLWithPath: runFolder)
        func file(_ name: String) -> URL { base.appendingPathComponent(name) }
        func text(_ name: String) -> String? { try? String(contentsOf: file(name), encoding: .utf8) }
        func dataURI(_ url: URL, type: String) -> String? {
            (try? Data(contentsOf: url)).map { "data:\(type);base64," + $0.base64EncodedString() }
        }
        func image(_ name: String, alt: String) -> String {
            guard let uri = dataURI(file(name), type: "image/png") else { return "" }
            return "<figure><img src=\"\(uri)\" alt=\"\(escape(alt))\"><figcaption>\(escape(alt))</figcaption></figure>"
        }
        let unseen = configuration.unseen.map { configuration.classNames[$0] }
        var body = [String]()
        body.append(
            "<h1>Run \(escape(base.lastPathComponent))</h1><p>Method <b>\(escape(configuration.method.rawValue))</b>, "
                + "preset \(escape(configuration.preset.rawValue)), unseen class(es) <b>"
                + escape(unseen.joined(separator: ", "))
                + "</b>, selected EMA generator of iteration <b>\(selected)</b>."
                + (configuration.method == .oracle
                    ? " <b>ORACLE saw the unseen class's real data: an upper bound, not a probe.</b>" : "") + "</p>")
        if let summary = try? JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: file("summary.json"))) {
            var rows = [
                "<table><tr><th>class</th><th>judge recognition</th><th>probed classifier</th>"
                    + "<th>Frechet distance to held-out data</th><th>real halves</th></tr>"
            ]
            for name in summary.classes.keys.sorted() {
                guard let result = summary.classes[name] else { continue }
                rows.append(
                    "<tr><td>\(escape(name))\(result.unseen ? " (unseen)" : "")</td>"
                        + String(
                            format: "<td>%.1f%%</td><td>%.1f%%</td>", 100 * result.judgeRecognition,
                            100 * result.classifierRecognition)
                        + "<td>" + (result.frechetDistance.map { String(format: "%.2f", $0) } ?? "-") + "</td><td>"
                        + (result.heldOutHalvesDistance.map { String(format: "%.2f", $0) } ?? "-") + "</td></tr>")
            }
            rows.append("</table>")
            body.append("<h2>Result (\(summary.samplesPerClass) samples per class)</h2>" + rows.joined())
            body.append("<ul>" + summary.notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
        }
        if let data = try? Data(contentsOf: file("evaluation/acoustic.json")),
            let acoustic = try? JSONDecoder().decode(AcousticReport.self, from: data)
        {
            body.append(
                acousticSection(acoustic) + image("evaluation/f0-histograms.png", alt: "F0 histograms per class"))
        }
        if let data = try? Data(contentsOf: file("evaluation/panel.json")),
            let panel = try? JSONDecoder().decode(PanelVerdict.self, from: data)
        {
            body.append(panelSection(panel))
        }
        body.append("<h2>Listen: the selected generator (iteration \(selected))</h2>")
        let stem = String(format: "samples/iteration-%06d", selected)
        body.append(image(stem + ".png", alt: "samples of every class at iteration \(selected)"))
        for label in configuration.finalClasses {
            let name = configuration.classNames[label]
            if let uri = dataURI(file("\(stem)-\(name).wav"), type: "audio/wav") {
                body.append(
                    "<p class=\"clip\">\(escape(name))\(configuration.unseen.contains(label) ? " (unseen)" : ""): "
                        + "<audio controls preload=\"none\" src=\"\(uri)\"></audio></p>")
            }
        }
        body.append("<h2>Training</h2>")
        body.append(image("losses.png", alt: "losses"))
        body.append(image("evaluation.png", alt: "selection score and, for reporting only, the judge"))
        if FileManager.default.fileExists(atPath: file("metrics.jsonl").path) {
            body.append(trajectory(metrics: file("metrics.jsonl").path))
        }
        if let manifest = text("manifest.json") {
            body.append("<h2>Target-absence proof (manifest.json)</h2><pre>\(escape(manifest))</pre>")
        }
        if let explore = text("explore/explore.md") {
            body.append("<h2>E-GBAS (explore/explore.md)</h2><pre>\(escape(explore))</pre>")
            if let firstGrid = (try? FileManager.default.contentsOfDirectory(atPath: file("explore").path))?
                .filter({ $0.hasSuffix("-grid.png") }).sorted().first
            {
                body.append(image("explore/" + firstGrid, alt: "E-GBAS and the epsilon balls, query first"))
                body.append(
                    image(
                        "explore/" + firstGrid.replacingOccurrences(of: "-grid.png", with: "-tree.png"),
                        alt: "the GB-RRT tree on its two principal axes"))
            }
        }
        if let resolved = text("configuration.json") {
            body.append(
                "<h2>Configuration</h2><details><summary>configuration.json</summary><pre>\(escape(resolved))</pre></details>"
            )
        }
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Run \(escape(base.lastPathComponent))</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
            td:first-child, th:first-child { text-align: left; }
            img { max-width: 100%; } figure { margin: 1em 0; } pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
        let path = output ?? file("report.html").path
        try AtomicFile.write(Data(html.utf8), to: path)
        return path
    }

    /// The acoustic verdict of `studio evaluate` (evaluation/acoustic.json) as a table.
    static func acousticSection(_ report: AcousticReport) -> String {
        func median(_ summary: DistributionSummary, _ format: String) -> String {
            summary.median.map { String(format: format, $0) } ?? "-"
        }
        var rows = [
            "<h2>Acoustic verdict, no judge (studio evaluate)</h2><p>"
                + String(
                    format: "Rendered audio beside the real held-out clips and their resynthesis (the control). "
                        + "Pitch classifier: %d real training clips, %.1f%% on real held-out clips.",
                    report.pitchClassifierTrainingClips, 100 * report.pitchHeldOutAccuracy)
                + "</p><table><tr><th>class</th><th>clips</th><th>median F0 (Hz)</th><th>pitch recognition</th>"
                + "<th>F0 movement (st)</th><th>flatness</th><th>HNR (dB)</th><th>envelope modulation</th>"
                + "<th>diversity (dB)</th><th>speech-likeness distance</th></tr>"
        ]
        for item in report.classes {
            for (label, set) in [
                ("generated", item.generated), ("real held-out", item.realHeldOut),
                ("resynthesised (control)", item.resynthesised),
            ] {
                rows.append(
                    "<tr><td>\(escape(item.name))\(item.unseen ? " (unseen)" : ""): \(label)</td><td>\(set.clips)</td>"
                        + "<td>\(median(set.medianF0, "%.0f"))</td>"
                        + String(format: "<td>%.1f%%</td>", 100 * set.pitchRecognition.rate)
                        + "<td>\(median(set.f0Movement, "%.2f"))</td><td>\(median(set.spectralFlatness, "%.3f"))</td>"
                        + "<td>\(median(set.harmonicToNoise, "%.1f"))</td><td>\(median(set.envelopeModulation, "%.2f"))</td>"
                        + "<td>" + (set.diversity.map { String(format: "%.1f", $0) } ?? "-") + "</td><td>"
                        + (set.speechLikenessDistance.map { String(format: "%.2f", $0) } ?? "-") + "</td></tr>")
            }
        }
        return rows.joined() + "</table>"
    }

    /// The judge panel's verdict of `studio evaluate` (evaluation/panel.json) as a table.
    static func panelSection(_ panel: PanelVerdict) -> String {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
        var rows = [
            "<h2>Judge panel (studio evaluate)</h2><p>"
                + panel.judges.map {
                    "\(escape($0.name)) (\($0.architecture), \(percent($0.heldOutAccuracy)) held-out)"
                }
                .joined(separator: ", ")
                + "</p><table><tr><th>class</th><th>clips</th><th>median</th><th>range</th><th>majority (95% CI)</th></tr>"
        ]
        for item in panel.classes {
            for (label, recognition) in [("generated", item.generated), ("real held-out", item.realHeldOut)] {
                let m = recognition.majority
                rows.append(
                    "<tr><td>\(escape(item.name))\(item.unseen ? " (unseen)" : ""): \(label)</td>"
                        + "<td>\(recognition.clips)</td><td>\(percent(recognition.median))</td>"
                        + "<td>\(percent(recognition.lowest))-\(percent(recognition.highest))</td>"
                        + "<td>\(percent(m.rate)) (\(percent(m.lower))-\(percent(m.upper)))</td></tr>")
            }
        }
        return rows.joined() + "</table>"
    }

    /// The evaluation lines of the metrics file at `path` as a table.
    static func trajectory(metrics path: String) -> String {
        var rows = [
            "<h3>Selection trajectory (the judge columns are reported, never used)</h3><table><tr><th>iteration</th>"
                + "<th>selection score</th><th>seen-class distance</th><th>seen speech-likeness distance</th>"
                + "<th>F0 movement, st</th><th>judge recognition</th><th>selected so far</th></tr>"
        ]
        func named(_ values: [String: Double]?) -> String {
            guard let values, !values.isEmpty else { return "-" }
            return values.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f", $0.key, $0.value) }
                .joined(separator: ", ")
        }
        for (_, record) in MetricsLog.read(path) where record.kind == .evaluation {
            let score = record.score.map { String(format: "%.3f", $0) } ?? "-"
            let distance =
                record.seenDistance.map { distances in
                    distances.isEmpty
                        ? "-" : String(format: "%.2f", distances.values.reduce(0, +) / Double(distances.count))
                } ?? "-"
            let movement = record.acoustics.map { $0.compactMapValues { $0["f0Movement"] } }
            rows.append(
                "<tr><td>\(record.iteration)</td><td>\(score)</td><td>\(distance)</td>"
                    + "<td>\(escape(named(record.speechLikeness)))</td><td>\(escape(named(movement)))</td>"
                    + "<td>\(escape(named(record.judgeRecognition)))</td><td>" + (record.isBest == true ? "yes" : "")
                    + "</td></tr>")
        }
        return rows.joined() + "</table>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
