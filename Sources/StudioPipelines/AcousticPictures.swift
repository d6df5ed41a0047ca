import Foundation
import StudioImage
import StudioSupport

/// The acoustic verdict's files in a run folder: `evaluation/acoustic.json` and the F0 histograms
/// (`evaluation/f0-histograms.png`: per class, real held-out, resynthesised and generated clips),
/// which `studio report` embeds.
enum AcousticPictures {
    /// Writes both files into `folder` (a run's `evaluation/`, or `evaluation/last/`) and returns the
    /// picture's path.
    static func write(_ report: AcousticReport, folder path: String) throws -> String {
        let folder = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let picture = folder.appendingPathComponent("f0-histograms.png").path
        try PNGFile.write(f0Histograms(report), to: picture)
        var saved = report
        saved.f0Picture = picture
        try AtomicFile.write(try RunFolder.json(saved), to: folder.appendingPathComponent("acoustic.json").path)
        return picture
    }

    /// One panel per class: the share of each set's clips whose median F0 falls in each bin
    /// (clips without a pitch count in no bin), against the bin's geometric centre in Hz.
    static func f0Histograms(_ report: AcousticReport) -> RGBImage {
        let edges = report.f0BinEdges
        let centres = (0..<(edges.count - 1)).map { (edges[$0] * edges[$0 + 1]).squareRoot() }
        let panels = report.classes.map { item -> RGBImage in
            func series(_ name: String, _ set: AcousticSet, _ color: Int) -> LinePlot.Series {
                LinePlot.Series(
                    name: name + " (\(set.clips))",
                    points: zip(centres, set.f0Histogram).map { ($0, 100 * Double($1) / Double(max(set.clips, 1))) },
                    color: LinePlot.palette[color])
            }
            var plot = LinePlot(series: [
                series("real held-out", item.realHeldOut, 0), series("resynthesised real", item.resynthesised, 2),
                series("generated", item.generated, 3),
            ])
            plot.title = "\(item.name)\(item.unseen ? " (unseen)" : ""): median F0 per clip"
            plot.xLabel = "F0 (Hz)"
            plot.yLabel = "% of clips"
            plot.plotHeight = 180
            return plot.render()
        }
        return RGBImage.stacked(panels)
    }
}
