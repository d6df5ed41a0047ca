import StudioImage

/// A confusion matrix as a PNG heat map: rows are true classes (first class on top), columns the
/// predictions or answers; the shade is the share of the row.
public enum ConfusionPicture {
    /// Writes `counts[row][column]` to `path`.
    public static func write(
        counts: [[Int]], rows: [String], columns: [String], title: String = "confusion", xLabel: String,
        to path: String
    ) throws {
        var values = [Float]()
        for row in counts.indices.reversed() {
            let total = max(counts[row].reduce(0, +), 1)
            values += counts[row].map { Float($0) / Float(total) }
        }
        var plot = try HeatmapPlot(values: values, rowCount: rows.count, columnCount: columns.count, valueRange: 0...1)
        plot.colormap = .viridis
        plot.title = title
        plot.xLabel = xLabel
        plot.yLabel = "true"
        plot.minPlotWidth = 256
        plot.xTicks = columns.indices.map { AxisTick(position: Double($0) + 0.5, label: String(columns[$0].prefix(6))) }
        plot.yTicks = rows.indices.map {
            AxisTick(position: Double(rows.count - 1 - $0) + 0.5, label: String(rows[$0].prefix(6)))
        }
        plot.colorbarLabel = "share"
        try PNGFile.write(plot.render(), to: path)
    }
}
