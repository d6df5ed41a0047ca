import Foundation

/// A line chart of one or more series against a shared x axis (loss curves, recognition over
/// training), with axis ticks, a title and a legend.
public struct LinePlot: Sendable {
    /// One named series of (x, y) points.
    public struct Series: Sendable {
        /// Legend name.
        public var name: String
        /// Points in drawing order; non-finite points are skipped.
        public var points: [(x: Double, y: Double)]
        /// Line colour.
        public var color: RGB
        /// How the points are drawn.
        public var style: Style

        /// A series.
        public init(name: String, points: [(x: Double, y: Double)], color: RGB, style: Style = .line) {
            self.name = name
            self.points = points
            self.color = color
            self.style = style
        }
    }

    /// How a series is drawn.
    public enum Style: Sendable {
        /// A polyline through the points.
        case line
        /// A 3x3 marker per point, no lines (a scatter plot).
        case markers
        /// Separate segments between points 0-1, 2-3, ... (edges of a tree).
        case segments
    }

    /// The series.
    public var series: [Series]
    /// Title and axis labels.
    public var title = "", xLabel = "", yLabel = ""
    /// Plot area size in pixels.
    public var plotWidth = 480, plotHeight = 240

    /// Distinct colours for up to eight series (matplotlib's tab10 order).
    public static let palette: [RGB] = [
        RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44), RGB(214, 39, 40), RGB(148, 103, 189),
        RGB(140, 86, 75), RGB(227, 119, 194), RGB(127, 127, 127),
    ]

    /// A plot of `series`.
    public init(series: [Series]) { self.series = series }

    /// Renders the chart.
    public func render() -> RGBImage {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var (xLow, xHigh) = (finite.map(\.x).min() ?? 0, finite.map(\.x).max() ?? 1)
        var (yLow, yHigh) = (finite.map(\.y).min() ?? 0, finite.map(\.y).max() ?? 1)
        if xHigh <= xLow { xHigh = xLow + 1 }
        if yHigh <= yLow { (yLow, yHigh) = (yLow - 0.5, yHigh + 0.5) }
        let yTicks = Self.ticks(yLow, yHigh)
        let xTicks = Self.ticks(xLow, xHigh)
        let tickLabels = yTicks.map { Self.label($0) }
        let left = 14 + (tickLabels.map { BitmapFont.width(of: $0) }.max() ?? 0) + 6
        let top = 24
        let legendWidth = (series.map { BitmapFont.width(of: $0.name) }.max() ?? 0) + 28
        // The y label sits at the top-left corner; a wide one pushes the title right, not under it.
        let titleX = yLabel.isEmpty ? left : max(left, 2 + BitmapFont.width(of: yLabel) + 12)
        let width = max(left + plotWidth + 12 + legendWidth, titleX + BitmapFont.width(of: title) + 4)
        let height = top + plotHeight + 36
        var image = RGBImage(width: width, height: height, fill: .white)
        BitmapFont.draw(title, at: titleX, 8, on: &image)
        func px(_ x: Double) -> Int { left + Int(((x - xLow) / (xHigh - xLow) * Double(plotWidth - 1)).rounded()) }
        func py(_ y: Double) -> Int {
            top + plotHeight - 1 - Int(((y - yLow) / (yHigh - yLow) * Double(plotHeight - 1)).rounded())
        }
        for (tick, label) in zip(yTicks, tickLabels) where tick >= yLow && tick <= yHigh {
            let y = py(tick)
            image.fill(x: left, y: y, width: plotWidth, height: 1, with: RGB(230, 230, 230))
            BitmapFont.draw(label, at: left - 4 - BitmapFont.width(of: label), y - 3, on: &image)
        }
        for tick in xTicks where tick >= xLow && tick <= xHigh {
            let x = px(tick)
            image.fill(x: x, y: top, width: 1, height: plotHeight, with: RGB(230, 230, 230))
            let label = Self.label(tick)
            BitmapFont.draw(label, at: x - BitmapFont.width(of: label) / 2, top + plotHeight + 5, on: &image)
        }
        image.fill(x: left, y: top + plotHeight - 1, width: plotWidth, height: 1, with: .black)
        image.fill(x: left, y: top, width: 1, height: plotHeight, with: .black)
        BitmapFont.draw(
            xLabel, at: left + (plotWidth - BitmapFont.width(of: xLabel)) / 2, top + plotHeight + 18, on: &image)
        BitmapFont.draw(yLabel, at: 2, 8, color: .gray, on: &image)
        for (index, line) in series.enumerated() {
            var previous: (Int, Int)?
            for (position, point) in line.points.enumerated() {
                guard point.x.isFinite, point.y.isFinite else {
                    previous = nil
                    continue
                }
                let current = (px(point.x), py(point.y))
                switch line.style {
                case .line:
                    if let previous { Self.line(from: previous, to: current, color: line.color, on: &image) }
                    image.fill(x: current.0, y: current.1, width: 1, height: 1, with: line.color)
                case .markers:
                    image.fill(x: current.0 - 1, y: current.1 - 1, width: 3, height: 3, with: line.color)
                case .segments:
                    if position % 2 == 1, let previous {
                        Self.line(from: previous, to: current, color: line.color, on: &image)
                    }
                }
                previous = current
            }
            let legendY = top + 4 + index * 12
            image.fill(x: left + plotWidth + 12, y: legendY + 3, width: 14, height: 2, with: line.color)
            BitmapFont.draw(line.name, at: left + plotWidth + 30, legendY, on: &image)
        }
        return image
    }

    /// About five round tick values (1, 2, 2.5 or 5 times a power of ten apart) covering [low, high].
    public static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks = [Double]()
        var value = (low / step).rounded(.up) * step
        while value <= high + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    static func label(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
        return String(format: abs(value) >= 1 ? "%.1f" : "%.2f", value)
    }

    /// Bresenham's line, one pixel wide.
    static func line(from start: (Int, Int), to end: (Int, Int), color: RGB, on image: inout RGBImage) {
        var (x0, y0) = start
        let (x1, y1) = end
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            if x0 >= 0 && y0 >= 0 && x0 < image.width && y0 < image.height {
                image.fill(x: x0, y: y0, width: 1, height: 1, with: color)
            }
            if x0 == x1 && y0 == y1 { break }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x0 += sx
            }
            if doubled <= dx {
                error += dx
                y0 += sy
            }
        }
    }
}
