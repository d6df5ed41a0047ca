import Foundation
import StudioSupport
import Testing

@testable import StudioAudio

@Suite("STFT and ISTFT")
struct ShortTimeFourierTransformTests {
    /// Known answers: `librosa.stft` of a chirp, from Corpora/scripts/make_librosa_refs.py.
    @Test func matchesLibrosaStft() throws {
        let fixture = try Fixtures.librosa("stft_chirp.json")
        let signal = try fixture.floats("signal")
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 3)
        for item in cases {
            let padName = try #require(item["padMode"] as? String)
            let configuration = try STFTConfiguration(
                fftSize: try item.int("fftSize"), hopLength: try item.int("hopLength"),
                windowLength: try item.int("windowLength"), center: try #require(item["center"] as? Bool),
                padMode: try #require(PadMode(rawValue: padName)))
            let result = try ShortTimeFourierTransform(configuration).forward(signal)
            #expect(result.frameCount == (try item.int("frames")))
            #expect(result.binCount == (try item.int("bins")))
            // float32 FFTs of values up to ~60 in magnitude: agree to ~1e-5 relative.
            expectAllClose(result.values, try item.floats("values"), rtol: 1e-4, atol: 2e-4, "stft \(configuration)")
        }
    }

    /// Invariant: the STFT equals a direct DFT of each windowed, zero-padded frame (librosa `test_stft`).
    @Test(arguments: [(64, 16, true), (60, 15, false), (33, 8, true)])
    func matchesDirectDFT(fftSize: Int, hop: Int, center: Bool) throws {
        var generator = SplitMix64(seed: 7)
        let signal = (0..<300).map { _ in Float.random(in: -1...1, using: &generator) }
        let configuration = try STFTConfiguration(fftSize: fftSize, hopLength: hop, center: center)
        let result = try ShortTimeFourierTransform(configuration).forward(signal)
        let window = configuration.window()
        var expected = [Float]()
        for frame in 0..<configuration.frameCount(forLength: signal.count) {
            let start = frame * hop - (center ? fftSize / 2 : 0)
            for bin in 0..<(fftSize / 2 + 1) {
                var re = 0.0
                var im = 0.0
                for n in 0..<fftSize where start + n >= 0 && start + n < signal.count {
                    let value = Double(signal[start + n] * window[n])
                    let angle = -2 * Double.pi * Double(bin * n) / Double(fftSize)
                    re += value * cos(angle)
                    im += value * sin(angle)
                }
                expected += [Float(re), Float(im)]
            }
        }
        expectAllClose(result.values, expected, atol: 1e-4, "direct DFT n=\(fftSize)")
    }

    /// Invariant: ISTFT(STFT(x)) = x for a Hann window at hop = fftSize / 4, in both pad modes.
    @Test(arguments: [(1024, 256, PadMode.constant), (512, 128, .reflect), (400, 100, .constant)])
    func inverseRestoresSignal(fftSize: Int, hop: Int, padMode: PadMode) throws {
        var generator = SplitMix64(seed: 11)
        let signal = (0..<5000).map { _ in Float.random(in: -1...1, using: &generator) }
        let transform = ShortTimeFourierTransform(
            try STFTConfiguration(fftSize: fftSize, hopLength: hop, padMode: padMode))
        let restored = try transform.inverse(transform.forward(signal), length: signal.count)
        #expect(restored.count == signal.count)
        expectAllClose(restored, signal, atol: 1e-5, "istft(stft(x))")
    }

    /// Known answer: `librosa.istft(..., length=1900)`.
    @Test func inverseMatchesLibrosaWithLength() throws {
        let fixture = try Fixtures.librosa("stft_chirp.json")
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 256, hopLength: 64))
        let inverse = try transform.inverse(transform.forward(try fixture.floats("signal")), length: 1900)
        expectAllClose(inverse, try fixture.floats("istftLength1900"), atol: 2e-6, "istft length 1900")
    }

    @Test func outputLengthWithoutLengthIsHopTimesFramesMinusOne() throws {
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 256, hopLength: 64))
        let spectrum = try transform.forward([Float](repeating: 0.1, count: 1000))
        #expect(try transform.inverse(spectrum).count == 64 * (spectrum.frameCount - 1))
    }

    @Test func rejectsBadParameters() throws {
        #expect(throws: AudioError.self) { try STFTConfiguration(fftSize: 512, hopLength: 0) }
        #expect(throws: AudioError.self) { try STFTConfiguration(fftSize: 512, windowLength: 600) }
        #expect(throws: AudioError.self) { try STFTConfiguration(fftSize: 1) }
        // A size that would allocate gigabytes is refused before anything is allocated.
        #expect(throws: AudioError.self) { try STFTConfiguration(fftSize: 1 << 30) }
        #expect(throws: AudioError.self) {
            try MelConfiguration(sampleRate: 16_000, fftSize: 1 << 30, melBandCount: 64)
        }
        let noCenter = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 512, center: false))
        #expect(throws: AudioError.self) { try noCenter.forward([Float](repeating: 0, count: 100)) }
        #expect(throws: AudioError.self) { try noCenter.forward([]) }
    }

    @Test func defaultsFollowLibrosa() throws {
        let configuration = try STFTConfiguration()
        #expect(configuration.fftSize == 2048)
        #expect(configuration.windowLength == 2048)
        #expect(configuration.hopLength == 512)
        #expect(configuration.center && configuration.padMode == .constant)
    }

    /// Plans are shared and executions use private scratch, so concurrent calls agree bit for bit.
    @Test func concurrentCallsAgree() async throws {
        var generator = SplitMix64(seed: 3)
        let signal = (0..<20_000).map { _ in Float.random(in: -1...1, using: &generator) }
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 1024, hopLength: 256))
        let reference = try transform.forward(signal)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    // Fresh transforms of new sizes plan concurrently too.
                    _ = try ShortTimeFourierTransform(STFTConfiguration(fftSize: 700 + index)).forward(signal)
                    return try transform.forward(signal) == reference
                }
            }
            for try await same in group { #expect(same) }
        }
    }

    @Test func reflectIndexMatchesNumpy() {
        // numpy.pad([0, 1, 2, 3], 5, mode="reflect") -> [1 2 3 2 1 | 0 1 2 3 | 2 1 0 1 2]
        let left = (-5..<0).map { ShortTimeFourierTransform.reflect($0, length: 4) }
        let right = (4..<9).map { ShortTimeFourierTransform.reflect($0, length: 4) }
        #expect(left == [1, 2, 3, 2, 1])
        #expect(right == [2, 1, 0, 1, 2])
    }
}
