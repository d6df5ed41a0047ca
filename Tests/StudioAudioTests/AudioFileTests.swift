import Foundation
import StudioSupport
import Testing

@testable import StudioAudio

@Suite("Reading, writing and resampling audio files")
struct AudioFileTests {
    /// The frequency of the strongest FFT bin of a signal.
    private func dominantFrequency(_ signal: AudioSignal) throws -> Double {
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 2048, hopLength: 512))
        let power = try transform.spectrogram(signal.samples)
        var totals = [Float](repeating: 0, count: power.binCount)
        for frame in 0..<power.frameCount {
            for bin in 0..<power.binCount { totals[bin] += power.value(bin: bin, frame: frame) }
        }
        let peak = try #require(totals.indices.max { totals[$0] < totals[$1] })
        return Double(peak) * Double(signal.sampleRate) / 2048
    }

    @Test(arguments: [
        ("tone-440hz-stereo-44k1.mp3", 44_100, 2, 440.0),
        ("tone-1khz-24bit-48k.wav", 48_000, 1, 1000),
        ("tone-300hz-8k.wav", 8_000, 1, 300),
        ("tone-2khz-stereo-22k05.flac", 22_050, 2, 2000),
    ])
    func readsFormatsAndResamplesTo16k(name: String, rate: Int, channels: Int, frequency: Double) throws {
        let path = Fixtures.corpus("audio/\(name)")
        let (raw, info) = try AudioFile.readMono(path)
        #expect(info.sampleRate == rate && info.channelCount == channels)
        #expect(raw.sampleRate == rate)
        // Every tone was made at amplitude 0.5 (MP3 adds encoder delay and a little ripple).
        let peak = raw.samples.map { abs($0) }.max() ?? 0
        #expect(abs(peak - 0.5) < 0.05, "\(name): peak \(peak)")
        let resampled = try AudioFile.read(path, sampleRate: 16_000)
        #expect(resampled.sampleRate == 16_000)
        #expect(abs(resampled.duration - raw.duration) < 1.0 / 16_000 + 1e-9)
        let binWidth = 16_000.0 / 2048
        #expect(abs(try dominantFrequency(resampled) - frequency) <= binWidth, "\(name)")
    }

    @Test func readsRealStereoOggAndDownmixes() throws {
        let (signal, info) = try AudioFile.readMono(Fixtures.corpus("audio/kajongg-female1-dangerousgame.ogg"))
        #expect(info.channelCount == 2 && info.sampleRate == 44_100)
        #expect(info.formatName.contains("OGG"))
        #expect(signal.samples.count == info.frameCount && signal.samples.count > 40_000)
        #expect(signal.samples.allSatisfy { abs($0) <= 1.0001 })
    }

    /// Band-limited: a 12 kHz tone at 44.1 kHz lies above the new Nyquist (8 kHz) and must vanish
    /// instead of aliasing to 4 kHz.
    @Test func resamplingRemovesContentAboveNyquist() throws {
        let tone = AudioSignal(samples: sine(frequency: 12_000, sampleRate: 44_100, count: 44_100), sampleRate: 44_100)
        let resampled = try Resampler.resample(tone, to: 16_000)
        let rms =
            (resampled.samples.dropFirst(1000).dropLast(1000).reduce(0) { $0 + $1 * $1 }
            / Float(resampled.samples.count - 2000)).squareRoot()
        #expect(rms < 0.5 * 0.001, "alias residue rms \(rms) (input rms 0.35)")
        let passband = AudioSignal(
            samples: sine(frequency: 3_000, sampleRate: 44_100, count: 44_100), sampleRate: 44_100)
        let kept = try Resampler.resample(passband, to: 16_000)
        let keptRMS =
            (kept.samples.dropFirst(1000).dropLast(1000).reduce(0) { $0 + $1 * $1 }
            / Float(kept.samples.count - 2000)).squareRoot()
        #expect(abs(keptRMS - 0.5 / Float(2).squareRoot()) < 0.005)
        #expect(throws: AudioError.self) { try Resampler.resample(tone, to: 0) }
        #expect(throws: AudioError.self) { try Resampler.resample(tone, to: 100) }
    }

    @Test(arguments: [SampleEncoding.pcm16, .float32])
    func writeThenReadRoundTrips(encoding: SampleEncoding) throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.wav").path
        let samples = sine(frequency: 440, sampleRate: 16_000, count: 8000, amplitude: 0.8) + [1.5, -1.5]
        try AudioFile.write(AudioSignal(samples: samples, sampleRate: 16_000), to: path, encoding: encoding)
        let (back, info) = try AudioFile.readMono(path)
        #expect(info.sampleRate == 16_000 && back.samples.count == samples.count)
        if encoding == .pcm16 {
            // One 16-bit step is 3.05e-5; values beyond full scale clip instead of wrapping.
            expectAllClose(Array(back.samples.prefix(8000)), Array(samples.prefix(8000)), atol: 3.1e-5, "pcm16")
            #expect(back.samples[8000] > 0.99 && back.samples[8001] < -0.99)
        } else {
            #expect(back.samples == samples)
        }
        // Nothing but the file itself is left in the folder (no temporary files).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.wav"])
    }

    @Test func badFilesGetErrorsThatNameThem() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let valid = folder.appendingPathComponent("valid.wav").path
        try AudioFile.write(
            AudioSignal(samples: sine(frequency: 440, sampleRate: 16_000, count: 16_000), sampleRate: 16_000), to: valid
        )
        let bytes = try Data(contentsOf: URL(fileURLWithPath: valid))
        let truncated = folder.appendingPathComponent("truncated.wav").path
        try bytes.prefix(10_000).write(to: URL(fileURLWithPath: truncated))
        let headerOnly = folder.appendingPathComponent("header.wav").path
        try bytes.prefix(30).write(to: URL(fileURLWithPath: headerOnly))
        let empty = folder.appendingPathComponent("empty.wav").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let text = folder.appendingPathComponent("notes.wav").path
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: text))

        #expect(throws: AudioError.fileNotFound(path: folder.path + "/missing.wav")) {
            try AudioFile.readMono(folder.path + "/missing.wav")
        }
        #expect(throws: AudioError.emptyAudio(path: empty)) { try AudioFile.readMono(empty) }
        #expect(throws: AudioError.truncatedFile(path: truncated, expectedFrames: 16_000, readFrames: 4_978)) {
            try AudioFile.readMono(truncated)
        }
        for path in [headerOnly, text, folder.path] {
            let error = try #require(throws: AudioError.self) { try AudioFile.readMono(path) }
            guard case .unreadableFile(let named, _) = error else {
                Issue.record("\(path): expected unreadableFile, got \(error)")
                continue
            }
            #expect(named == path)
            #expect(error.description.contains(path))
        }
    }

    @Test func nonFiniteSamplesAreRefusedOnBothSides() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nan.wav").path
        let bad = AudioSignal(samples: [0, 0.5, .nan, 0.1], sampleRate: 16_000)
        #expect(throws: AudioError.nonFiniteSamples(path: path, firstIndex: 2)) {
            try AudioFile.write(bad, to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        // A float WAV holding NaN (written around our check) is refused when read.
        let samples: [Float] = [0, .infinity, 0]
        var header = Data()
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) }
        }
        header.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(36 + 12))
        header.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16))
        append(UInt16(3))
        append(UInt16(1))
        append(UInt32(16_000))
        append(UInt32(64_000))
        append(UInt16(4))
        append(UInt16(32))
        header.append(contentsOf: Array("data".utf8))
        append(UInt32(12))
        for sample in samples { append(sample.bitPattern) }
        try header.write(to: URL(fileURLWithPath: path))
        #expect(throws: AudioError.nonFiniteSamples(path: path, firstIndex: 1)) { try AudioFile.readMono(path) }
    }

    @Test func writingIntoAMissingFolderFailsClearly() throws {
        let path = "/nonexistent-studio-folder/out.wav"
        let error = try #require(throws: AudioError.self) {
            try AudioFile.write(AudioSignal(samples: [0, 0.1], sampleRate: 16_000), to: path)
        }
        guard case .writeFailed(let named, _) = error else {
            Issue.record("expected writeFailed, got \(error)")
            return
        }
        #expect(named == path)
    }

    /// A cut Ogg/Vorbis or FLAC file reports an unknown or wrong length: every cut either reads
    /// (what the decoder can deliver) or fails with an error naming the file; none traps.
    @Test(arguments: [
        "kajongg-female1-dangerousgame.ogg", "kajongg-male2-originalcall.ogg", "tone-2khz-stereo-22k05.flac",
    ])
    func cutCompressedFilesNeverCrash(name: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.corpus("audio/" + name)))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var read = 0
        for fraction in stride(from: 0.05, to: 1.0, by: 0.05) {
            let path = folder.appendingPathComponent("cut-\(Int(fraction * 100))-" + name).path
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            do {
                let signal = try AudioFile.read(path)
                #expect(!signal.samples.isEmpty && signal.samples.allSatisfy(\.isFinite))
                read += 1
            } catch let error as AudioError {
                #expect(error.description.contains(path), "\(error)")
            }
        }
        // The longer cuts still deliver their audio.
        #expect(read >= 1)
    }
}
