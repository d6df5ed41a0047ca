import EGBAS
import Foundation
import ProbeGAN
import StudioImage
import StudioSupport
import StudioTensor

/// The pictures and clips of one explored query and layer: a grid (each method's row starts with
/// the query), the tree projected on its two principal axes, and the E-GBAS samples as WAVs
/// (audio) or PNGs (images).
struct ExploreArtifacts {
    let configuration: ProbeGANConfiguration
    let folder: String
    let grid: SampleGrid

    init(configuration: ProbeGANConfiguration, folder: String) throws {
        self.configuration = configuration
        self.folder = folder
        let shape = configuration.inputShape
        grid = try SampleGrid(
            channels: shape[0], height: shape[1], width: shape[2],
            style: configuration.isSpectrogram ? .spectrogram(.magma) : .picture)
    }

    func path(_ name: String) -> String { URL(fileURLWithPath: folder).appendingPathComponent(name).path }

    func write(
        stem: String, query: Tensor, images: [String: Tensor], exploration: BoundaryAwareSampling.Exploration,
        writeAudio: Bool, seed: UInt64
    ) throws {
        let queryTile = RunArtifacts.tiles(query, limit: 1)
        var rows = [(label: String, tiles: [[Float]])]()
        for method in ExplorePipeline.methods {
            guard let set = images[method] else { continue }
            rows.append(
                (
                    ExplorePipeline.methodTitles[method] ?? method,
                    queryTile + RunArtifacts.tiles(set, limit: min(set.shape[0], 12))
                ))
        }
        try PNGFile.write(grid.render(rows: rows), to: path("\(stem)-grid.png"))
        try PNGFile.write(
            Self.treePlot(exploration, title: "\(stem): GB-RRT tree on its 2 principal axes").render(),
            to: path("\(stem)-tree.png"))
        let clipsFolder = path(stem)
        try FileManager.default.createDirectory(atPath: clipsFolder, withIntermediateDirectories: true)
        let tiles = queryTile + (images["egbas"].map { RunArtifacts.tiles($0, limit: $0.shape[0]) } ?? [])
        let shape = configuration.inputShape
        for (index, tile) in tiles.enumerated() {
            let name = index == 0 ? "query" : String(format: "egbas-%02d", index)
            let file = URL(fileURLWithPath: clipsFolder).appendingPathComponent(name).path
            if configuration.isSpectrogram {
                guard writeAudio else { continue }
                try SpectrogramAudio.writeWAV(
                    image: tile, bands: shape[1], frames: shape[2], to: file + ".wav", seed: seed &+ UInt64(index))
            } else {
                var single = grid
                single.scale = 4
                try PNGFile.write(single.render(tile: tile), to: file + ".png")
            }
        }
    }

    /// Accepted nodes, tree edges and rejected proposals projected on the two principal axes of
    /// the tree's nodes.
    static func treePlot(_ exploration: BoundaryAwareSampling.Exploration, title: String) -> LinePlot {
        let nodes = exploration.tree.nodes
        let axes = PrincipalAxes(points: nodes, count: 2)
        func project(_ point: [Float]) -> (x: Double, y: Double) {
            let p = axes.project(point)
            return (Double(p[0]), Double(p.count > 1 ? p[1] : 0))
        }
        var edges = [(x: Double, y: Double)]()
        for (index, parent) in exploration.tree.parents.enumerated() where parent >= 0 {
            edges.append(project(nodes[parent]))
            edges.append(project(nodes[index]))
        }
        var plot = LinePlot(series: [
            .init(name: "tree edges", points: edges, color: RGB(190, 190, 190), style: .segments),
            .init(
                name: "rejected", points: exploration.tree.rejected.map(project), color: RGB(214, 39, 40),
                style: .markers),
            .init(name: "accepted", points: nodes.dropFirst().map(project), color: RGB(31, 119, 180), style: .markers),
            .init(name: "query", points: [project(nodes[0])], color: .black, style: .markers),
        ])
        plot.title = title
        plot.xLabel = "principal axis 1"
        plot.yLabel = "axis 2"
        plot.plotHeight = 320
        plot.plotWidth = 420
        return plot
    }
}

/// The leading principal axes of a point set (power iteration with deflation on the covariance).
struct PrincipalAxes {
    let mean: [Float]
    let axes: [[Float]]

    init(points: [[Float]], count: Int) {
        let d = points.first?.count ?? 0
        var mean = [Float](repeating: 0, count: d)
        for point in points { for i in 0..<d { mean[i] += point[i] / Float(points.count) } }
        self.mean = mean
        let centred = points.map { zip($0, mean).map { $0 - $1 } }
        var found = [[Float]]()
        for axisIndex in 0..<min(count, d) {
            var v = (0..<d).map { Float(($0 * 7 + axisIndex * 3) % 11) - 5 }
            for _ in 0..<100 {
                var next = [Float](repeating: 0, count: d)
                for row in centred {
                    let dot = zip(row, v).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    for i in 0..<d { next[i] += dot * row[i] }
                }
                for axis in found {
                    let dot = zip(next, axis).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                    for i in 0..<d { next[i] -= dot * axis[i] }
                }
                let norm = next.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-12 else { break }
                v = next.map { $0 / norm }
            }
            found.append(v)
        }
        axes = found
    }

    func project(_ point: [Float]) -> [Float] {
        axes.map { axis in zip(zip(point, mean).map { $0 - $1 }, axis).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
    }
}
