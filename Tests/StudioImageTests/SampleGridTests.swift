import StudioImage
import Testing

@Suite("Sample grids and line plots")
struct SampleGridTests {
    @Test func spectrogramTilesPutTheLowestBandAtTheBottom() throws {
        // A 1x4x2 tile: band 0 (row 0 of the image) loud (+1), other bands silent (-1).
        let tile: [Float] = [1, 1, -1, -1, -1, -1, -1, -1]
        var grid = try SampleGrid(channels: 1, height: 4, width: 2, style: .spectrogram(.gray))
        grid.scale = 1
        let image = grid.render(tile: tile)
        #expect(image.width == 2 && image.height == 4)
        #expect(image[0, 3] == RGB(255, 255, 255), "band 0 belongs at the bottom row")
        #expect(image[0, 0] == RGB(0, 0, 0))
    }

    @Test func picturesKeepRowZeroOnTopAndColour() throws {
        // A 3x1x2 tile: left pixel red, right pixel blue.
        let tile: [Float] = [1, -1, -1, -1, -1, 1]
        var grid = try SampleGrid(channels: 3, height: 1, width: 2, style: .picture)
        grid.scale = 1
        let image = grid.render(tile: tile)
        #expect(image[0, 0] == RGB(255, 0, 0) && image[1, 0] == RGB(0, 0, 255))
    }

    @Test func gridsHaveARowPerClassAndRefuseBadLayouts() throws {
        let grid = try SampleGrid(channels: 1, height: 8, width: 8, style: .spectrogram(.magma))
        let tile = [Float](repeating: 0, count: 64)
        let image = grid.render(rows: [("a", [tile, tile, tile]), ("bb", [tile])])
        #expect(image.height == 2 + 2 * (16 + 2))
        #expect(throws: ImageError.self) {
            try SampleGrid(channels: 3, height: 8, width: 8, style: .spectrogram(.magma))
        }
    }

    @Test func linePlotDrawsEachSeriesInItsColour() {
        let red = RGB(214, 39, 40)
        var plot = LinePlot(series: [LinePlot.Series(name: "loss", points: [(0, 0), (10, 1)], color: red)])
        plot.plotWidth = 100
        plot.plotHeight = 50
        let image = plot.render()
        var redPixels = 0
        for y in 0..<image.height { for x in 0..<image.width where image[x, y] == red { redPixels += 1 } }
        // The diagonal covers at least one pixel per column, plus the legend swatch.
        #expect(redPixels >= 100)
        // A y label wider than the tick column pushes the title right instead of under it.
        plot.yLabel = "share of clips"
        plot.title = "detector statistic"
        let labelled = plot.render()
        var grayRight = -1
        var blackLeft = Int.max
        for y in 8..<16 {
            for x in 0..<labelled.width {
                if labelled[x, y] == .gray { grayRight = max(grayRight, x) }
                if labelled[x, y] == .black { blackLeft = min(blackLeft, x) }
            }
        }
        #expect(
            grayRight > 0 && blackLeft < Int.max && grayRight < blackLeft,
            "label to \(grayRight), title from \(blackLeft)")
        let ticks = LinePlot.ticks(0, 1)
        #expect(ticks.count == 6 && zip(ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}
