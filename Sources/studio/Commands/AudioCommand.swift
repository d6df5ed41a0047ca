import ArgumentParser
import Foundation
import StudioAudio
import StudioImage
import StudioPipelines

/// `studio audio`: the audio frontend on its own, for looking at and listening to the path every
/// generated spectrogram takes.
struct AudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "Look at and listen to the mel-spectrogram frontend.",
        subcommands: [SpectrogramCommand.self, InvertCommand.self]
    )
}

/// `studio audio spectrogram IN --png OUT.png`.
struct SpectrogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrogram",
        abstract: "Draw a file's log-mel spectrogram as a PNG with axes in Hz and seconds.",
        discussion: "Reads anything libsndfile reads (WAV, FLAC, OGG, MP3, ...), any rate and channel count."
    )

    @Argument(help: "The audio file.", completion: .file())
    var input: String

    @Option(help: "Where to write the picture.", completion: .file(extensions: ["png"]))
    var png: String

    @Option(help: "Colormap: \(Colormap.allCases.map(\.rawValue).joined(separator: ", ")).")
    var colormap: Colormap = .magma

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    @OptionGroup var frontend: FrontendOptions

    func run() throws {
        let summary = try AudioPipelines.renderSpectrogram(
            input: input, png: png, frontend: try frontend.frontend(), colormap: colormap)
        if json {
            print(try jsonString(summary))
        } else {
            print(
                "\(summary.input): \(summary.sourceSampleRate) Hz, \(summary.sourceChannels) channel(s), "
                    + String(format: "%.2f s", summary.duration)
                    + " -> \(summary.frames) frames x \(summary.melBands) mel bands, "
                    + String(format: "peak %.1f dB", summary.peakDecibels))
            print("wrote \(summary.output)")
        }
    }
}

/// `studio audio invert IN --out OUT.wav`.
struct InvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invert",
        abstract: "Audio -> log-mel -> [-1, 1] -> audio: hear what the frontend keeps.",
        discussion: """
            This is exactly the path a generated spectrogram takes to become a WAV: the log-mel values are \
            mapped into [-1, 1] (the generator's range), mapped back, turned into a linear magnitude by \
            non-negative least squares and given a phase by fast Griffin-Lim.
            """
    )

    @Argument(help: "The audio file.", completion: .file())
    var input: String

    @Option(
        help: ArgumentHelp("Where to write the 16-bit WAV.", valueName: "file"), completion: .file(extensions: ["wav"]))
    var out: String

    @Option(help: "Griffin-Lim iterations.")
    var iterations = 32

    @Option(help: "Fast Griffin-Lim momentum (0 = classic Griffin-Lim; above 1 is unstable).")
    var momentum: Float = 0.99

    @Option(help: "Initial phase: random or zero.")
    var initialPhase: InitialPhase = .random

    @Option(help: "Seed for the random initial phase.")
    var seed: UInt64 = 0

    @Option(help: "Decibels mapped to -1 (quieter is clipped).")
    var minDecibels: Float = -100

    @Option(help: "Decibels mapped to +1 (louder is clipped).")
    var maxDecibels: Float = 30

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    @OptionGroup var frontend: FrontendOptions

    func validate() throws {
        guard iterations >= 0 else { throw ValidationError("--iterations must be >= 0, got \(iterations)") }
        guard momentum >= 0 else { throw ValidationError("--momentum must be >= 0, got \(momentum)") }
        guard minDecibels < maxDecibels else {
            throw ValidationError("--min-decibels (\(minDecibels)) must be below --max-decibels (\(maxDecibels))")
        }
    }

    func run() throws {
        if momentum > 1 {
            FileHandle.standardError.write(Data("warning: --momentum \(momentum) > 1 usually diverges\n".utf8))
        }
        let summary = try AudioPipelines.invert(
            input: input, output: out, frontend: try frontend.frontend(),
            scaling: try LogMelScaling(minDecibels: minDecibels, maxDecibels: maxDecibels),
            griffinLim: try GriffinLimConfiguration(
                iterations: iterations, momentum: momentum, initialPhase: initialPhase),
            seed: seed)
        if json {
            print(try jsonString(summary))
        } else {
            print(
                String(
                    format: "%@: %.2f s, %d frames; spectral convergence %.3f, mel spectral convergence %.3f, "
                        + "%.1f%% of log-mel values clipped; inverted in %.0f ms",
                    summary.input, summary.duration, summary.frames, summary.spectralConvergence,
                    summary.melSpectralConvergence, 100 * summary.clippedFraction, 1000 * summary.inversionSeconds))
            print("wrote \(summary.output)")
        }
    }
}

extension InitialPhase: ExpressibleByArgument {}

/// Pretty, key-sorted JSON.
func jsonString(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
