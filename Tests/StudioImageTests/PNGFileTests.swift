import Foundation
import Testing

@testable import StudioImage

@Suite("PNG files, colormaps and heat maps")
struct PNGFileTests {
    private func temporaryPath(_ name: String) throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("studio-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (folder, folder.appendingPathComponent(name).path)
    }

    @Test func writeThenReadIsLossless() throws {
        let (folder, path) = try temporaryPath("grid.png")
        defer { try? FileManager.default.removeItem(at: folder) }
        var image = RGBImage(width: 7, height: 5)
        for y in 0..<5 { for x in 0..<7 { image[x, y] = RGB(UInt8(x * 30), UInt8(y * 50), UInt8((x + y) * 10)) } }
        try PNGFile.write(image, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try PNGFile.read(path) == image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["grid.png"])
    }

    @Test func errorsNameThePath() throws {
        #expect(throws: ImageError.fileNotFound(path: "/no/such.png")) { try PNGFile.read("/no/such.png") }
        let error = try #require(throws: ImageError.self) {
            try PNGFile.write(RGBImage(width: 1, height: 1), to: "/no/such/folder/x.png")
        }
        #expect(error.description.contains("/no/such/folder/x.png"))
        let (folder, path) = try temporaryPath("fake.png")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ImageError.self) { try PNGFile.read(path) }
    }

    /// Known answers: matplotlib 3.11 `magma` and `viridis` at 0, 0.5 and 1 (rounded to 8 bits).
    @Test func colormapsMatchMatplotlib() {
        #expect(Colormap.magma.color(0) == RGB(0x00, 0x00, 0x04))
        #expect(Colormap.magma.color(1) == RGB(0xFC, 0xFD, 0xBF))
        #expect(Colormap.viridis.color(0) == RGB(0x44, 0x01, 0x54))
        #expect(Colormap.viridis.color(1) == RGB(0xFD, 0xE7, 0x25))
        #expect(Colormap.gray.color(0.5) == RGB(128, 128, 128))
        #expect(Colormap.magma.color(-3) == Colormap.magma.color(0))
        #expect(Colormap.magma.color(.nan) == Colormap.magma.color(0))
        // Perceptually ordered: luminance rises monotonically along magma.
        let luminance = (0...255).map { level -> Double in
            let c = Colormap.magma.color(Float(level) / 255)
            return 0.2126 * Double(c.red) + 0.7152 * Double(c.green) + 0.0722 * Double(c.blue)
        }
        #expect(zip(luminance, luminance.dropFirst()).allSatisfy { $0 <= $1 + 0.5 })
    }

    @Test func heatmapDrawsRowsBottomUpWithTicksAndColorbar() throws {
        // Two rows: bottom row at the minimum, top row at the maximum.
        var plot = try HeatmapPlot(values: [0, 0, 0, 1, 1, 1], rowCount: 2, columnCount: 3, valueRange: 0...1)
        plot.xTicks = [AxisTick(position: 0, label: "0"), AxisTick(position: 3, label: "1")]
        plot.yTicks = [AxisTick(position: 0, label: "0"), AxisTick(position: 2, label: "8k")]
        plot.xLabel = "time (s)"
        let image = plot.render()
        #expect(image.height >= 256 && image.width > 3)
        // Find the plot area by its colours: darkest (bottom row) below brightest (top row).
        let dark = Colormap.magma.color(0)
        let bright = Colormap.magma.color(1)
        let darkRows = (0..<image.height).filter { y in (0..<image.width).contains { image[$0, y] == dark } }
        let brightRows = (0..<image.height).filter { y in (0..<image.width).contains { image[$0, y] == bright } }
        #expect(!darkRows.isEmpty && !brightRows.isEmpty)
        #expect((brightRows.min() ?? 0) < (darkRows.max() ?? 0))
        // Text is drawn in black somewhere (ticks and labels).
        #expect(
            image.pixels.indices.contains {
                $0 % 3 == 0 && image.pixels[$0] == 0 && image.pixels[$0 + 1] == 0 && image.pixels[$0 + 2] == 0
            })
        #expect(throws: ImageError.self) {
            try HeatmapPlot(values: [1, 2], rowCount: 2, columnCount: 2, valueRange: 0...1)
        }
        #expect(throws: ImageError.self) {
            try HeatmapPlot(values: [1], rowCount: 1, columnCount: 1, valueRange: 1...1)
        }
    }

    @Test func wideDataIsAveragedDownToTheMaximumWidth() throws {
        var plot = try HeatmapPlot(
            values: (0..<10_000).map { Float($0 % 2) }, rowCount: 1, columnCount: 10_000, valueRange: 0...1)
        plot.maxPlotWidth = 500
        let image = plot.render()
        #expect(image.width < 700)
        // Alternating 0/1 columns average to the middle of the colormap.
        let middle = Colormap.magma.color(0.5)
        #expect(
            image.pixels.indices.contains {
                $0 % 3 == 0 && image[($0 / 3) % image.width, ($0 / 3) / image.width] == middle
            })
    }

    @Test func fontMeasuresAndMarksMissingGlyphs() {
        #expect(BitmapFont.width(of: "8k") == 11)
        #expect(BitmapFont.width(of: "8k", scale: 2) == 22)
        var known = RGBImage(width: 8, height: 8)
        var unknown = RGBImage(width: 8, height: 8)
        BitmapFont.draw("-", at: 0, 0, on: &known)
        BitmapFont.draw("§", at: 0, 0, on: &unknown)
        #expect(known != unknown)
        #expect(unknown[0, 0] == .black && unknown[4, 6] == .black)
    }
}

@Suite("RGB canvas")
struct RGBImageTests {
    @Test func fillClipsToTheCanvasEvenFarOutside() {
        var image = RGBImage(width: 4, height: 3)
        image.fill(x: 10, y: 10, width: 5, height: 5, with: .black)
        image.fill(x: -10, y: -10, width: 5, height: 5, with: .black)
        #expect(image == RGBImage(width: 4, height: 3))
        image.fill(x: 3, y: 2, width: 5, height: 5, with: .black)
        #expect(image[3, 2] == .black && image[2, 2] == .white)
    }
}
