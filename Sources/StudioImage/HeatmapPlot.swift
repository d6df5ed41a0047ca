/// A labelled tick on a plot axis.
public struct AxisTick: Sendable, Equatable {
    /// Position in data coordinates: column (x) or row (y) index, fractional allowed.
    public var position: Double
    /// The text under (x) or beside (y) the tick.
    public var label: String

    /// A tick at a position.
    public init(position: Double, label: String) {
        self.position = position
        self.label = label
    }
}

/// A heat map with axes, tick labels and a colour bar: the picture of a spectrogram.
///
/// Data rows run bottom to top (row 0 is drawn lowest, as frequency axes are), columns left to right.
/// Wide data is averaged down to `maxPlotWidth` pixels; small data is enlarged with square-ish pixels.
public struct HeatmapPlot: Sendable {
    /// Values, row-major, `rowCount * columnCount`.
    public var values: [Float]
    /// Rows (for a spectrogram: frequency bands).
    public var rowCount: Int
    /// Columns (for a spectrogram: frames).
    public var columnCount: Int
    /// The value shown darkest and the value shown brightest.
    public var valueRange: ClosedRange<Float>
    /// The colormap.
    public var colormap: Colormap = .magma
    /// Ticks along the bottom.
    public var xTicks: [AxisTick] = []
    /// Ticks along the left side.
    public var yTicks: [AxisTick] = []
    /// The x axis's name, drawn under the ticks.
    public var xLabel = ""
    /// The y axis's name, drawn above the axis.
    public var yLabel = ""
    /// The colour bar's unit, drawn above it.
    public var colorbarLabel = ""
    /// A line of text above the plot.
    public var title = ""
    /// Widest plot area in pixels before columns are averaged.
    public var maxPlotWidth = 1600
    /// Smallest plot area height in pixels (rows are repeated to reach it).
    public var minPlotHeight = 256
    /// Smallest plot area width in pixels (columns are repeated, up to 32 times, to reach it).
    public var minPlotWidth = 512

    /// A plot of `rowCount x columnCount` values.
    public init(values: [Float], rowCount: Int, columnCount: Int, valueRange: ClosedRange<Float>) throws {
        guard rowCount > 0, columnCount > 0, values.count == rowCount * columnCount else {
            throw ImageError.invalidParameter(
                name: "values", value: "\(values.count)",
                reason: "must hold rowCount x columnCount = \(rowCount) x \(columnCount) values")
        }
        guard valueRange.upperBound > valueRange.lowerBound else {
            throw ImageError.invalidParameter(name: "valueRange", value: "\(valueRange)", reason: "must not be empty")
        }
        self.values = values
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.valueRange = valueRange
    }

    private static let textScale = 2
    private static var lineHeight: Int { BitmapFont.glyphHeight * textScale }

    /// Draws the plot.
    public func render() -> RGBImage {
        let textScale = Self.textScale
        let rowHeight = max(1, (minPlotHeight + rowCount - 1) / rowCount)
        let plotHeight = rowCount * rowHeight
        let columnsPerPixel = max(1, (columnCount + maxPlotWidth - 1) / maxPlotWidth)
        let columnWidth = columnsPerPixel == 1 ? max(1, min(128, (minPlotWidth + columnCount - 1) / columnCount)) : 1
        let plotWidth =
            columnsPerPixel == 1 ? columnCount * columnWidth : (columnCount + columnsPerPixel - 1) / columnsPerPixel
        let yLabelWidth = (yTicks.map { BitmapFont.width(of: $0.label, scale: textScale) }.max() ?? 0)
        let left = max(yLabelWidth + 14, BitmapFont.width(of: yLabel, scale: textScale) / 2 + 4)
        let top = (title.isEmpty ? 0 : Self.lineHeight + 10) + Self.lineHeight + 12
        let bottom = 2 * Self.lineHeight + 22
        let colorbarWidth = 16
        let colorbarLabels = [
            valueRange.lowerBound, (valueRange.lowerBound + valueRange.upperBound) / 2, valueRange.upperBound,
        ]
        .map { Self.format($0) }
        let right =
            24 + colorbarWidth + 8
            + max(
                colorbarLabels.map { BitmapFont.width(of: $0, scale: textScale) }.max() ?? 0,
                BitmapFont.width(of: colorbarLabel, scale: textScale) - colorbarWidth)
        var image = RGBImage(width: left + plotWidth + right, height: top + plotHeight + bottom)

        if !title.isEmpty { BitmapFont.draw(title, at: left, 6, scale: textScale, on: &image) }
        BitmapFont.draw(
            yLabel, at: max(2, left - BitmapFont.width(of: yLabel, scale: textScale) / 2), top - Self.lineHeight - 8,
            scale: textScale, on: &image)

        // The data.
        let span = valueRange.upperBound - valueRange.lowerBound
        for row in 0..<rowCount {
            let y = top + plotHeight - (row + 1) * rowHeight
            for pixel in 0..<plotWidth {
                let value: Float
                if columnsPerPixel == 1 {
                    value = values[row * columnCount + pixel / columnWidth]
                } else {
                    let first = pixel * columnsPerPixel
                    let last = min(columnCount, first + columnsPerPixel)
                    var sum: Float = 0
                    for column in first..<last { sum += values[row * columnCount + column] }
                    value = sum / Float(last - first)
                }
                let color = colormap.color((value - valueRange.lowerBound) / span)
                image.fill(x: left + pixel, y: y, width: 1, height: rowHeight, with: color)
            }
        }

        // Frame and ticks.
        image.fill(x: left - 1, y: top - 1, width: plotWidth + 2, height: 1, with: .gray)
        image.fill(x: left - 1, y: top + plotHeight, width: plotWidth + 2, height: 1, with: .gray)
        image.fill(x: left - 1, y: top - 1, width: 1, height: plotHeight + 2, with: .gray)
        image.fill(x: left + plotWidth, y: top - 1, width: 1, height: plotHeight + 2, with: .gray)
        let xScale = Double(plotWidth) / Double(columnCount)
        var labelEnd = Int.min
        for tick in xTicks where tick.position >= 0 && tick.position <= Double(columnCount) {
            let x = left + Int((tick.position * xScale).rounded())
            image.fill(x: x, y: top + plotHeight, width: 1, height: 6, with: .black)
            // A label that would touch the previous one is left out; its tick mark stays.
            let width = BitmapFont.width(of: tick.label, scale: textScale)
            guard x - width / 2 > labelEnd + 6 else { continue }
            BitmapFont.draw(tick.label, at: x - width / 2, top + plotHeight + 9, scale: textScale, on: &image)
            labelEnd = x - width / 2 + width
        }
        for tick in yTicks where tick.position >= 0 && tick.position <= Double(rowCount) {
            let y = top + plotHeight - Int((tick.position * Double(rowHeight)).rounded())
            image.fill(x: left - 6, y: y, width: 6, height: 1, with: .black)
            let width = BitmapFont.width(of: tick.label, scale: textScale)
            BitmapFont.draw(tick.label, at: left - 9 - width, y - Self.lineHeight / 2, scale: textScale, on: &image)
        }
        let xLabelWidth = BitmapFont.width(of: xLabel, scale: textScale)
        BitmapFont.draw(
            xLabel, at: left + (plotWidth - xLabelWidth) / 2, top + plotHeight + Self.lineHeight + 16, scale: textScale,
            on: &image)

        // Colour bar.
        let barX = left + plotWidth + 24
        for y in 0..<plotHeight {
            image.fill(
                x: barX, y: top + y, width: colorbarWidth, height: 1,
                with: colormap.color(1 - Float(y) / Float(max(1, plotHeight - 1))))
        }
        BitmapFont.draw(colorbarLabel, at: barX, top - Self.lineHeight - 8, scale: textScale, on: &image)
        for (index, label) in colorbarLabels.enumerated() {
            let y = top + plotHeight - index * (plotHeight - 1) / 2
            BitmapFont.draw(
                label, at: barX + colorbarWidth + 6,
                min(max(top, y - Self.lineHeight / 2), top + plotHeight - Self.lineHeight), scale: textScale, on: &image
            )
        }
        return image
    }

    /// A compact number: integers without decimals, others with one.
    static func format(_ value: Float) -> String {
        let rounded = value.rounded()
        if abs(value - rounded) < 0.05 { return String(Int(rounded)) }
        return String((value * 10).rounded() / 10)
    }
}
