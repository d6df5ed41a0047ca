import Foundation
import StudioSupport
import Testing

@testable import StudioAudio

@Suite("Clip acoustics")
struct ClipAcousticsTests {
    /// A harmonic stack at `f0` (vibrato of `vibrato` semitones at 5 Hz), amplitude `envelope(t)`,
    /// plus white noise of standard deviation `noise`, one second at 16 kHz.
    static func tone(
        f0: Double, vibrato: Double = 0, noise: Float = 0, seed: UInt64 = 1, envelope: (Double) -> Double = { _ in 1 }
    ) -> [Float] {
        var random = SplitMix64(seed: seed)
        var phase = 0.0
        return (0..<16_000).map { index in
            let t = Double(index) / 16_000
            let frequency = f0 * pow(2, vibrato * sin(2 * .pi * 5 * t) / 12)
            phase += 2 * .pi * frequency / 16_000
            let voice = (1...6).reduce(0.0) { $0 + sin(Double($1) * phase) / Double($1) }
            return Float(0.2 * envelope(t) * voice) + noise * random.normal()
        }
    }

    @Test("a steady tone: its pitch, no F0 movement, harmonic, flat envelope, no silence")
    func steadyTone() throws {
        let measured = try ClipAcoustics.measure(Self.tone(f0: 150), sampleRate: 16_000)
        #expect(abs((measured.medianF0 ?? 0) - 150) < 2)
        #expect(measured.voicedShare > 0.9)
        #expect((measured.f0Movement ?? 1) < 0.1)
        #expect((measured.harmonicToNoise ?? 0) > 15)
        #expect(measured.envelopeModulation < 0.1)
        #expect(measured.silenceShare == 0)
        #expect(measured.spectralFlatness < 0.05)
    }

    @Test("vibrato moves F0; syllable-like gating modulates the envelope and adds silence")
    func movementAndEnvelope() throws {
        let vibrato = try ClipAcoustics.measure(Self.tone(f0: 200, vibrato: 2), sampleRate: 16_000)
        // A sine of amplitude 2 semitones has a standard deviation of 2 / sqrt(2).
        #expect(abs((vibrato.f0Movement ?? 0) - 1.41) < 0.3, "\(vibrato.f0Movement ?? -1)")
        let gated = try ClipAcoustics.measure(
            Self.tone(f0: 200).enumerated().map { index, x in (index / 2_000) % 2 == 0 ? x : 0 }, sampleRate: 16_000)
        #expect(gated.envelopeModulation > 0.8, "\(gated.envelopeModulation)")
        #expect(gated.silenceShare > 0.3 && gated.silenceShare < 0.6, "\(gated.silenceShare)")
    }

    @Test("noise is flat, aperiodic and has no pitch")
    func noise() throws {
        var random = SplitMix64(seed: 3)
        let measured = try ClipAcoustics.measure((0..<16_000).map { _ in 0.1 * random.normal() }, sampleRate: 16_000)
        #expect(measured.medianF0 == nil && measured.f0Movement == nil)
        #expect(measured.spectralFlatness > 0.4, "\(measured.spectralFlatness)")
        #expect((measured.harmonicToNoise ?? 99) < 0)
    }

    @Test("the real recorded voices: women higher than men, both moving in pitch")
    func realVoices() throws {
        let female = try AudioFile.read(Fixtures.corpus("audio/kajongg-female1-dangerousgame.ogg"), sampleRate: 16_000)
        let male = try AudioFile.read(Fixtures.corpus("audio/kajongg-male2-originalcall.ogg"), sampleRate: 16_000)
        let her = try ClipAcoustics.measure(female.samples, sampleRate: 16_000)
        let him = try ClipAcoustics.measure(male.samples, sampleRate: 16_000)
        #expect((her.medianF0 ?? 0) > 160 && (him.medianF0 ?? 999) < 150)
        #expect((her.f0Movement ?? 0) > 0.5 && (him.f0Movement ?? 0) > 0.5)
        #expect(her.envelopeModulation > 0.3 && him.envelopeModulation > 0.3)
    }

    @Test("bad input: another sample rate or a clip too short is refused by name")
    func badInput() {
        #expect(throws: AudioError.self) { try ClipAcoustics.measure(Self.tone(f0: 150), sampleRate: 44_100) }
        #expect(throws: AudioError.self) {
            try ClipAcoustics.measure([Float](repeating: 0.1, count: 100), sampleRate: 16_000)
        }
        // A silent clip is measured, not refused: no pitch, nothing harmonic.
        let silent = try? ClipAcoustics.measure([Float](repeating: 0, count: 16_000), sampleRate: 16_000)
        #expect(silent?.medianF0 == nil && silent?.harmonicToNoise == nil)
    }
}

extension SplitMix64 {
    /// A standard normal draw (Box-Muller), for noise in the fixtures.
    mutating func normal() -> Float {
        let u = max(nextUnitFloat(), 1e-7)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * nextUnitFloat())
    }
}
