import Foundation
import StudioAudio
import StudioImage
import Testing

@Suite("studio audio spectrogram | invert, as a new user runs them")
struct AudioCommandTests {
    @Test func helpListsEveryCommand() throws {
        let root = try StudioCommandRunner.run(["--help"])
        #expect(root.status == 0)
        for word in ["audio", "libraries"] { #expect(root.stdout.contains(word)) }
        let audio = try StudioCommandRunner.run(["audio", "--help"])
        #expect(audio.stdout.contains("spectrogram") && audio.stdout.contains("invert"))
        for command in ["spectrogram", "invert"] {
            let help = try StudioCommandRunner.run(["audio", command, "--help"])
            #expect(help.status == 0)
            for flag in ["--sample-rate", "--fft-size", "--hop-length", "--mel-bands", "--json"] {
                #expect(help.stdout.contains(flag), "\(command) --help lacks \(flag)")
            }
        }
    }

    @Test func librariesNamesTheLinkedVersions() throws {
        let output = try StudioCommandRunner.run(["libraries"])
        #expect(output.status == 0)
        for name in ["OpenBLAS core:", "FFTW: fftw-3", "libsndfile: libsndfile-1", "libsamplerate:", "libpng: 1.6"] {
            #expect(output.stdout.contains(name), "missing \(name)")
        }
    }

    /// A stereo 44.1 kHz MP3, a 24-bit 48 kHz WAV and an 8 kHz WAV all become pictures.
    @Test(arguments: ["tone-440hz-stereo-44k1.mp3", "tone-1khz-24bit-48k.wav", "tone-300hz-8k.wav"])
    func spectrogramOfAnyFormat(name: String) throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = folder.appendingPathComponent("out.png").path
        let output = try StudioCommandRunner.run([
            "audio", "spectrogram", StudioCommandRunner.corpus("audio/\(name)"), "--png", png, "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(summary["melBands"] as? Int == 64)
        let image = try PNGFile.read(png)
        #expect(image.width > 100 && image.height > 256)
    }

    @Test(arguments: [
        "tone-440hz-stereo-44k1.mp3", "tone-1khz-24bit-48k.wav", "tone-300hz-8k.wav", "kajongg-male2-originalcall.ogg",
    ])
    func invertWritesA16kWavOfTheSameLength(name: String) throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let wav = folder.appendingPathComponent("out.wav").path
        let input = StudioCommandRunner.corpus("audio/\(name)")
        let output = try StudioCommandRunner.run(["audio", "invert", input, "--out", wav, "--json", "--seed", "3"])
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let melConvergence = try #require(summary["melSpectralConvergence"] as? Double)
        #expect(melConvergence < 0.35, "\(name): mel spectral convergence \(melConvergence)")
        let (written, info) = try AudioFile.readMono(wav)
        let expected = try AudioFile.read(input, sampleRate: 16_000)
        #expect(info.sampleRate == 16_000)
        #expect(written.samples.count == expected.samples.count)
    }

    @Test func sameSeedSameWav() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = StudioCommandRunner.corpus("audio/kajongg-female1-16k.wav")
        let paths = ["a.wav", "b.wav"].map { folder.appendingPathComponent($0).path }
        for path in paths {
            _ = try StudioCommandRunner.run([
                "audio", "invert", input, "--out", path, "--seed", "5", "--iterations", "8",
            ])
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: paths[0]))
        #expect(!first.isEmpty)
        #expect(first == (try Data(contentsOf: URL(fileURLWithPath: paths[1]))))
    }

    @Test func badInputFailsWithAMessageNamingTheFile() throws {
        let folder = try StudioCommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.wav").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let whole = try Data(contentsOf: URL(fileURLWithPath: StudioCommandRunner.corpus("audio/tone-300hz-8k.wav")))
        let truncated = folder.appendingPathComponent("truncated.wav").path
        try whole.prefix(3000).write(to: URL(fileURLWithPath: truncated))
        let missing = folder.appendingPathComponent("missing.wav").path
        let cases: [(String, String)] = [(empty, "no audio"), (truncated, "truncated"), (missing, "no such file")]
        for (path, phrase) in cases {
            for command in [
                ["audio", "spectrogram", path, "--png", folder.appendingPathComponent("x.png").path],
                ["audio", "invert", path, "--out", folder.appendingPathComponent("x.wav").path],
            ] {
                let output = try StudioCommandRunner.run(command)
                #expect(output.status != 0)
                #expect(output.stderr.contains(path) && output.stderr.contains(phrase), "\(command): \(output.stderr)")
            }
        }
        // Nothing half-written is left behind.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["empty.wav", "truncated.wav"])
    }

    @Test func badOptionsAreUsageErrorsNamingTheFlag() throws {
        let input = StudioCommandRunner.corpus("audio/tone-300hz-8k.wav")
        let hop = try StudioCommandRunner.run([
            "audio", "spectrogram", input, "--png", "/tmp/x.png", "--hop-length", "0",
        ])
        #expect(hop.status != 0 && hop.stderr.contains("hopLength"))
        let range = try StudioCommandRunner.run([
            "audio", "invert", input, "--out", "/tmp/x.wav", "--min-decibels", "10", "--max-decibels", "0",
        ])
        #expect(range.status != 0 && range.stderr.contains("--min-decibels"))
        let nyquist = try StudioCommandRunner.run([
            "audio", "spectrogram", input, "--png", "/tmp/x.png", "--max-frequency", "9000",
        ])
        #expect(nyquist.status != 0 && nyquist.stderr.contains("maxFrequency"))
    }
}
