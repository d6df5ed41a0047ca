import Foundation
import StudioAudio
import StudioImage

/// Draws log-mel spectrograms as PNG pictures with axes in Hz and seconds.
public enum SpectrogramPicture {
    /// A heat map of a decibel mel spectrogram (frames x bands) with mel-spaced Hz ticks.
    /// - Parameters:
    ///   - decibels: `10 log10` mel power, frame-major.
    ///   - frontend: The frontend that made it (for the frequency and time axes).
    ///   - dynamicRange: Decibels shown below the loudest value.
    public static func plot(
        decibels: Spectrogram, frontend: MelFrontendConfiguration, dynamicRange: Float = 80,
        colormap: Colormap = .magma, title: String = ""
    ) throws -> HeatmapPlot {
        let peak = decibels.values.max() ?? 0
        let top = peak.isFinite ? (peak / 10).rounded(.up) * 10 : 0
        var plot = try HeatmapPlot(
            values: decibels.binMajorValues(), rowCount: decibels.binCount, columnCount: decibels.frameCount,
            valueRange: (top - dynamicRange)...top)
        plot.colormap = colormap
        plot.title = title
        plot.xLabel = "time (s)"
        plot.yLabel = "Hz"
        plot.colorbarLabel = "dB"
        plot.yTicks = frequencyTicks(frontend.mel)
        plot.xTicks = timeTicks(frames: decibels.frameCount, frontend: frontend)
        return plot
    }

    /// Renders and writes the picture.
    public static func write(
        decibels: Spectrogram, frontend: MelFrontendConfiguration, to path: String, colormap: Colormap = .magma,
        title: String = ""
    ) throws {
        let plot = try plot(decibels: decibels, frontend: frontend, colormap: colormap, title: title)
        try PNGFile.write(plot.render(), to: path)
    }

    /// Ticks at round frequencies, placed at their fractional mel-band position.
    static func frequencyTicks(_ mel: MelConfiguration) -> [AxisTick] {
        let candidates: [Double] = [0, 100, 250, 500, 1000, 2000, 4000, 8000, 16_000, 22_000]
        let low = mel.scale.mel(fromHz: mel.minFrequency)
        let high = mel.scale.mel(fromHz: mel.maxFrequency)
        var ticks = [AxisTick]()
        for hertz in candidates where hertz >= mel.minFrequency && hertz <= mel.maxFrequency {
            // Band b is centred at mel position (b + 1) / (bands + 1) of the range; rows are bands.
            let fraction = (mel.scale.mel(fromHz: hertz) - low) / (high - low)
            let row = fraction * Double(mel.melBandCount + 1) - 0.5
            let label = hertz >= 1000 ? "\(Int(hertz / 1000))k" : "\(Int(hertz))"
            if let last = ticks.last, (row - last.position) < Double(mel.melBandCount) / 12 { continue }
            ticks.append(AxisTick(position: min(Double(mel.melBandCount), max(0, row)), label: label))
        }
        return ticks
    }

    /// Ticks at round times (0.1, 0.2, 0.5, 1, 2, 5, ... s apart), about 5 to 10 along the axis.
    static func timeTicks(frames: Int, frontend: MelFrontendConfiguration) -> [AxisTick] {
        let secondsPerFrame = Double(frontend.stft.hopLength) / Double(frontend.mel.sampleRate)
        let duration = Double(frames) * secondsPerFrame
        let steps: [Double] = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600]
        let step = steps.first { duration / $0 <= 8 } ?? 1200
        var ticks = [AxisTick]()
        var time = 0.0
        while time <= duration + 1e-9 {
            let label =
                step < 1
                ? String(format: "%.2f", time).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
                    .replacingOccurrences(of: "\\.$", with: "", options: .regularExpression) : String(Int(time))
            ticks.append(AxisTick(position: time / secondsPerFrame, label: label))
            time += step
        }
        return ticks
    }
}
