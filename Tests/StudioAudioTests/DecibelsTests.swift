import Foundation
import StudioSupport
import Testing

@testable import StudioAudio

@Suite("Log-mel, decibels and the [-1, 1] mapping")
struct DecibelsTests {
    private func realClip() throws -> (signal: [Float], fixture: [String: Any]) {
        let fixture = try Fixtures.librosa("logmel_real_clip.json")
        let (signal, info) = try AudioFile.readMono(Fixtures.corpus("audio/kajongg-female1-16k.wav"))
        #expect(info.sampleRate == 16_000)
        return (signal.samples, fixture)
    }

    /// Known answer: librosa `melspectrogram(sr=16000, n_fft=1024, hop_length=256, n_mels=64)` of a
    /// real recorded clip (kajongg, female voice), and `power_to_db(top_db=None)` of it.
    @Test func logMelOfRealClipMatchesLibrosa() throws {
        let (signal, fixture) = try realClip()
        let extractor = MelSpectrogramExtractor(try MelFrontendConfiguration())
        let power = try extractor.power(signal)
        #expect(power.frameCount == (try fixture.int("frames")))
        #expect(power.binCount == 64)
        let expectedPower = try fixture.floats("powerMel")
        expectAllClose(power.values, expectedPower, rtol: 1e-4, atol: 1e-9, "power mel")
        // 1e-4 relative in power is 4e-4 dB; quiet bins round more, so 0.01 dB overall.
        expectAllClose(try extractor.decibels(signal).values, try fixture.floats("decibels"), atol: 0.01, "log-mel dB")
        let top80 = try Decibels.fromPower(power.values, reference: power.values.max() ?? 1, topDB: 80)
        expectAllClose(top80, try fixture.floats("decibelsRefMaxTop80"), atol: 0.01, "power_to_db(ref=max, top_db=80)")
    }

    @Test func decibelConversionsFollowLibrosaFormulas() throws {
        let values: [Float] = [0, 1e-12, 1e-3, 1, 100]
        #expect(try Decibels.fromPower(values, topDB: nil) == [-100, -100, -30, 0, 20])
        #expect(try Decibels.fromPower(values, topDB: 50) == [-30, -30, -30, 0, 20])
        #expect(try Decibels.fromAmplitude([0.1, 1], topDB: nil) == [-20, 0])
        expectAllClose(Decibels.toPower([-30, 0, 20]), [1e-3, 1, 100], rtol: 1e-6, atol: 0, "db_to_power")
        #expect(throws: AudioError.self) { try Decibels.fromPower(values, amin: 0) }
        #expect(throws: AudioError.self) { try Decibels.fromPower(values, topDB: -1) }
    }

    /// The vectorised logarithm agrees with libm's `log10` to 1e-4 dB over the whole float range in use.
    @Test func fastDecibelsMatchLibm() {
        var values: [Float] = [1e-12, 1e-10, 1, 0.5, 2, 1.414_213_5, 1.414_213_7, 3e38]
        var generator = SplitMix64(seed: 5)
        for _ in 0..<100_000 { values.append(pow(10, Float.random(in: -10...12, using: &generator))) }
        let expected = values.map { 10 * log10(max($0, 1e-10)) }
        values.withUnsafeMutableBufferPointer { Decibels.powerToDecibelsInPlace($0.baseAddress!, count: $0.count) }
        expectAllClose(values, expected, rtol: 1e-6, atol: 1e-4, "fast 10 log10")
    }

    /// The generator's mapping is exactly invertible inside its range and clips outside.
    @Test func logMelScalingIsInvertible() throws {
        let scaling = try LogMelScaling()
        let decibels: [Float] = stride(from: -100, through: 30, by: 2.5).map { Float($0) }
        let power = Decibels.toPower(decibels)
        let normalized = scaling.normalize(power: power)
        #expect(normalized.first == -1 && normalized.last == 1)
        #expect(normalized.allSatisfy { (-1...1).contains($0) })
        expectAllClose(scaling.denormalize(normalized), power, rtol: 1e-4, atol: 0, "round trip")
        #expect(scaling.normalize(power: [1e-20, 1e9]) == [-1, 1])
        #expect(scaling.denormalize([.nan, 5]) == Decibels.toPower([-100, 30]))
        #expect(throws: AudioError.self) { try LogMelScaling(minDecibels: 0, maxDecibels: 0) }
    }

    /// The default frontend turns a 16,128-sample clip into exactly 64 x 64.
    @Test func defaultFrontendMakesSquareImages() throws {
        let configuration = try MelFrontendConfiguration()
        let samples = configuration.sampleCount(forFrames: 64)
        let mel = try MelSpectrogramExtractor(configuration).power([Float](repeating: 0.01, count: samples))
        #expect(mel.frameCount == 64 && mel.binCount == 64)
        #expect(throws: AudioError.self) {
            try MelFrontendConfiguration(
                stft: STFTConfiguration(fftSize: 512), mel: MelConfiguration(sampleRate: 16_000, fftSize: 1024))
        }
    }
}
