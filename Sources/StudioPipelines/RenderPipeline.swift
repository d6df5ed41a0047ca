import Foundation
import ProbeGAN
import StudioAudio
import StudioImage
import StudioModels
import StudioSupport
import StudioTensor

/// What `studio render` wrote.
public struct RenderSummary: Sendable, Codable {
    /// The run, the class and the output folder.
    public let run: String, className: String, outputFolder: String
    /// Files written (clips or pictures), in order.
    public let files: [String]
    /// The grid picture.
    public let grid: String
    /// Iteration of the generator that rendered them.
    public let selectedIteration: Int
    /// Mean Griffin-Lim spectral convergence (audio only).
    public let meanSpectralConvergence: Float?
}

/// `studio render`: samples of one class from a run's selected generator, as WAV files with a
/// spectrogram picture each (audio) or PNG pictures (images), plus a grid.
public enum RenderPipeline {
    /// Renders `count` samples of `className`.
    public static func render(
        runFolder: String, className: String, count: Int, outputFolder: String, seed: UInt64,
        progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> RenderSummary {
        let folder = RunFolder(runFolder)
        let (configuration, selected) = try folder.readRun()
        guard let label = configuration.classNames.firstIndex(of: className) else {
            throw ProbeGANError.unknownClass(name: className, known: configuration.classNames)
        }
        let generator = try folder.loadBestGenerator(configuration)
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        let images = GeneratorSampling.samples(generator, label: label, count: count, seed: seed)
        let tiles = RunArtifacts.tiles(images, limit: count)
        let shape = configuration.inputShape
        var files = [String]()
        var convergence = [Float]()
        let frontend = try SpectrogramAudio.frontend()
        for (index, tile) in tiles.enumerated() {
            let stem = URL(fileURLWithPath: outputFolder).appendingPathComponent(
                String(format: "%@-%04d", className, index + 1)
            ).path
            if configuration.isSpectrogram {
                convergence.append(
                    try SpectrogramAudio.writeWAV(
                        image: tile, bands: shape[1], frames: shape[2], to: stem + ".wav", seed: seed &+ UInt64(index)))
                let power = try SpectrogramAudio.powerMel(image: tile, bands: shape[1], frames: shape[2])
                let decibels = Spectrogram(
                    binCount: power.binCount, frameCount: power.frameCount,
                    values: power.values.map { 10 * log10(max($0, 1e-10)) })
                try SpectrogramPicture.write(
                    decibels: decibels, frontend: frontend, to: stem + ".png",
                    title: "\(className) \(index + 1) (generated)")
                files.append(stem + ".wav")
            } else {
                var single = try SampleGrid(channels: shape[0], height: shape[1], width: shape[2], style: .picture)
                single.scale = 4
                try PNGFile.write(single.render(tile: tile), to: stem + ".png")
                files.append(stem + ".png")
            }
            progress(index + 1, tiles.count)
        }
        let grid = try SampleGrid(
            channels: shape[0], height: shape[1], width: shape[2],
            style: configuration.isSpectrogram ? .spectrogram(.magma) : .picture)
        let rows = stride(from: 0, to: tiles.count, by: 10).map { start in
            (label: "\(start + 1)", tiles: Array(tiles[start..<min(start + 10, tiles.count)]))
        }
        let gridPath = URL(fileURLWithPath: outputFolder).appendingPathComponent("\(className)-grid.png").path
        try PNGFile.write(grid.render(rows: rows), to: gridPath)
        return RenderSummary(
            run: runFolder, className: className, outputFolder: outputFolder, files: files, grid: gridPath,
            selectedIteration: selected,
            meanSpectralConvergence: convergence.isEmpty ? nil : convergence.reduce(0, +) / Float(convergence.count))
    }
}
