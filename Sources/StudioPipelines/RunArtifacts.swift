import Foundation
import ProbeGAN
import StudioAudio
import StudioImage
import StudioModels
import StudioSupport
import StudioTensor

/// Pictures and clips a run writes for people to look at and listen to.
struct RunArtifacts {
    let folder: RunFolder
    let configuration: ProbeGANConfiguration
    var isAudio: Bool { configuration.isSpectrogram }

    /// Columns of a sample grid.
    static let gridColumns = 8

    func grid() throws -> SampleGrid {
        let shape = configuration.inputShape
        return try SampleGrid(
            channels: shape[0], height: shape[1], width: shape[2], style: isAudio ? .spectrogram(.magma) : .picture)
    }

    /// A grid (one row per rendered class) and, for audio, one clip per class.
    func writeEvaluationSamples(_ samples: [Tensor?], iteration: Int) throws {
        let name = String(format: "iteration-%06d", iteration)
        var rows = [(label: String, tiles: [[Float]])]()
        for (label, images) in samples.enumerated() {
            guard let images else { continue }
            let unseenMark = configuration.unseen.contains(label) ? " (unseen)" : ""
            rows.append((configuration.classNames[label] + unseenMark, Self.tiles(images, limit: Self.gridColumns)))
        }
        try PNGFile.write(try grid().render(rows: rows), to: folder.samples + "/\(name).png")
        guard isAudio else { return }
        for (label, images) in samples.enumerated() {
            guard let images else { continue }
            let clip = Self.tiles(images, limit: 1)[0]
            try SpectrogramAudio.writeWAV(
                image: clip, bands: configuration.inputShape[1], frames: configuration.inputShape[2],
                to: folder.samples + "/\(name)-\(configuration.classNames[label]).wav", seed: UInt64(iteration))
        }
    }

    /// Loss and selection curves from the metrics file.
    func writeCurves(metrics path: String) throws {
        var losses: [String: [(x: Double, y: Double)]] = [:]
        var scores: [String: [(x: Double, y: Double)]] = [:]
        for (_, record) in MetricsLog.read(path) {
            let x = Double(record.iteration)
            switch record.kind {
            case .iteration:
                let values = [
                    ("dTotal", record.dTotal), ("gTotal", record.gTotal), ("gClassification", record.gClassification),
                    ("dPenalty", record.dPenalty),
                ]
                for case (let key, let value?) in values { losses[key, default: []].append((x, value)) }
            case .evaluation:
                if let value = record.score { scores["selection score", default: []].append((x, value)) }
                for (name, value) in record.judgeRecognition ?? [:] {
                    scores["judge: \(name)", default: []].append((x, value))
                }
            }
        }
        func plot(_ series: [String: [(x: Double, y: Double)]], title: String, file: String) throws {
            guard !series.isEmpty else { return }
            var chart = LinePlot(
                series: series.keys.sorted().enumerated().map { index, name in
                    LinePlot.Series(
                        name: name, points: series[name]!,
                        color: LinePlot.palette[index % LinePlot.palette.count])
                })
            chart.title = title
            chart.xLabel = "iteration"
            try PNGFile.write(chart.render(), to: URL(fileURLWithPath: folder.path).appendingPathComponent(file).path)
        }
        try plot(losses, title: "losses", file: "losses.png")
        try plot(scores, title: "selection score and judge recognition (judge: reporting only)", file: "evaluation.png")
    }

    /// The selected generator's grid: `samples.png`.
    func writeFinalPictures(summaryGenerator generator: Generator) throws {
        var rows = [(label: String, tiles: [[Float]])]()
        for label in configuration.finalClasses {
            let images = GeneratorSampling.samples(
                generator, label: label, count: Self.gridColumns, seed: configuration.seed &+ 99)
            let unseenMark = configuration.unseen.contains(label) ? " (unseen)" : ""
            rows.append((configuration.classNames[label] + unseenMark, Self.tiles(images, limit: Self.gridColumns)))
        }
        try PNGFile.write(
            try grid().render(rows: rows),
            to: URL(fileURLWithPath: folder.path).appendingPathComponent("samples.png").path)
    }

    static func tiles(_ images: Tensor, limit: Int) -> [[Float]] {
        let size = images.count / images.shape[0]
        let values = images.scalars
        return (0..<min(limit, images.shape[0])).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
    }
}

/// Generated [-1, 1] log-mel images to sound: denormalise, invert the mel filterbank (NNLS),
/// Griffin-Lim, write a 16-bit WAV.
public enum SpectrogramAudio {
    /// The frontend the default corpus and classifiers use.
    public static func frontend() throws -> MelFrontendConfiguration { try MelFrontendConfiguration() }

    /// The power mel spectrogram of an image whose row `b` is mel band `b`.
    public static func powerMel(image: [Float], bands: Int, frames: Int) throws -> Spectrogram {
        let scaling = try LogMelScaling()
        let power = scaling.denormalize(image)
        var frameMajor = [Float](repeating: 0, count: bands * frames)
        for band in 0..<bands {
            for frame in 0..<frames { frameMajor[frame * bands + band] = power[band * frames + frame] }
        }
        return Spectrogram(binCount: bands, frameCount: frames, values: frameMajor)
    }

    /// The clip of one image (NNLS, then 64 Griffin-Lim iterations seeded by `seed`): exactly what
    /// `writeWAV` writes and a listener hears.
    public static func audio(image: [Float], bands: Int, frames: Int, seed: UInt64) throws -> MelToAudio.Result {
        let extractor = MelSpectrogramExtractor(try frontend())
        let inverter = try MelToAudio(
            extractor: extractor, griffinLim: try GriffinLimConfiguration(iterations: 64), nnlsIterations: 40)
        var random = SplitMix64(seed: seed)
        return try inverter.audio(
            fromPowerMel: try powerMel(image: image, bands: bands, frames: frames),
            length: extractor.configuration.stft.hopLength * (frames - 1), using: &random)
    }

    /// Writes the clip of one image; returns the Griffin-Lim spectral convergence.
    @discardableResult
    public static func writeWAV(image: [Float], bands: Int, frames: Int, to path: String, seed: UInt64) throws -> Float
    {
        let result = try audio(image: image, bands: bands, frames: frames, seed: seed)
        try AudioFile.write(result.signal, to: path)
        return result.spectralConvergence
    }
}
