import Foundation
import Testing

@testable import StudioAudio

@Suite("Audio effects: planted tone and telephone band")
struct AudioEffectsTests {
    static let rate = 16_000

    static func sine(_ frequency: Double, amplitude: Float = 0.5, count: Int = 16_000) -> [Float] {
        (0..<count).map { amplitude * Float(sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
    }

    /// Mean power of the STFT bin nearest `frequency`, over the middle frames (no edge effects).
    static func power(_ signal: [Float], at frequency: Double) throws -> Double {
        let transform = ShortTimeFourierTransform(try STFTConfiguration(fftSize: 1024, hopLength: 256))
        let spectrogram = try transform.spectrogram(signal)
        let bin = Int((frequency / Double(rate) * 1024).rounded())
        let frames = 8..<(spectrogram.frameCount - 8)
        return frames.reduce(0.0) { $0 + Double(spectrogram.value(bin: bin, frame: $1)) } / Double(frames.count)
    }

    @Test func toneAddsASineOfTheGivenFrequencyAndLevel() throws {
        let silence = [Float](repeating: 0, count: Self.rate)
        let marked = try AudioEffect.tone(frequency: 4000, amplitude: 0.05, start: 0, duration: nil)
            .apply(to: silence, sampleRate: Self.rate)
        #expect(marked.count == silence.count)
        // Away from the 10 ms fades the added signal is exactly the sine.
        let reference = Self.sine(4000, amplitude: 0.05)
        for index in stride(from: 400, to: 15_600, by: 97) {
            #expect(abs(marked[index] - reference[index]) < 1e-4, "sample \(index)")
        }
        #expect(abs(marked[0]) < 1e-6, "the fade starts at zero")
        // The tone's energy sits at 4 kHz, not at 2 kHz.
        #expect(try Self.power(marked, at: 4000) > 1e4 * (try Self.power(marked, at: 2000) + 1e-12))
    }

    @Test func aShortToneStaysInsideItsSpan() throws {
        let silence = [Float](repeating: 0, count: Self.rate)
        let marked = try AudioEffect.tone(frequency: 1000, amplitude: 0.1, start: 0.25, duration: 0.25)
            .apply(to: silence, sampleRate: Self.rate)
        #expect(marked[..<4000].allSatisfy { $0 == 0 })
        #expect(marked[8000...].allSatisfy { $0 == 0 })
        #expect(marked[4400..<7600].map(abs).max()! > 0.09)
    }

    @Test func bandPassRemovesWhatLiesOutsideAndKeepsWhatLiesInside() throws {
        let inside = Self.sine(1000)
        let outside = Self.sine(5000)
        let mixed = zip(inside, outside).map { $0 + $1 }
        let filtered = try AudioEffect.bandPass(low: 300, high: 3400).apply(to: mixed, sampleRate: Self.rate)
        #expect(filtered.count == mixed.count)
        let keptRatio = try Self.power(filtered, at: 1000) / Self.power(mixed, at: 1000)
        let removedRatio = try Self.power(filtered, at: 5000) / Self.power(mixed, at: 5000)
        #expect(abs(10 * log10(keptRatio)) < 0.5, "the pass band changes by \(10 * log10(keptRatio)) dB")
        #expect(10 * log10(removedRatio) < -60, "the stop band is only \(10 * log10(removedRatio)) dB down")
        // Inside the pass band the waveform itself comes back.
        let error = zip(filtered[2000..<14_000], inside[2000..<14_000]).map { abs($0 - $1) }.max()!
        #expect(error < 0.01)
    }

    @Test func noiseBandAddsFrozenNoiseInsideItsBandAtItsLevel() throws {
        let silence = [Float](repeating: 0, count: Self.rate)
        let effect = AudioEffect.noiseBand(low: 3500, high: 4500, amplitude: 0.03)
        let marked = try effect.apply(to: silence, sampleRate: Self.rate)
        let rms = (marked.reduce(Float(0)) { $0 + $1 * $1 } / Float(marked.count)).squareRoot()
        #expect(abs(rms - 0.03) < 1e-4, "RMS \(rms)")
        #expect(try Self.power(marked, at: 4000) > 1e4 * (try Self.power(marked, at: 2000) + 1e-12))
        #expect(try Self.power(marked, at: 4000) > 1e4 * (try Self.power(marked, at: 6000) + 1e-12))
        // Frozen: the same noise on every clip, added to what is there.
        let tone = Self.sine(1000)
        let both = try effect.apply(to: tone, sampleRate: Self.rate)
        for index in stride(from: 0, to: Self.rate, by: 101) {
            #expect(abs(both[index] - tone[index] - marked[index]) < 1e-6)
        }
    }

    @Test func badParametersNameTheirValue() {
        let clip = [Float](repeating: 0, count: 1000)
        let cases: [(AudioEffect, String)] = [
            (.tone(frequency: 9000, amplitude: 0.1, start: 0, duration: nil), "frequency"),
            (.tone(frequency: 1000, amplitude: 0, start: 0, duration: nil), "amplitude"),
            (.tone(frequency: 1000, amplitude: 0.1, start: 0, duration: 0), "duration"),
            (.bandPass(low: 3400, high: 300), "low"),
            (.bandPass(low: 300, high: 9000), "high"),
            (.noiseBand(low: 4500, high: 3500, amplitude: 0.03), "low"),
            (.noiseBand(low: 3500, high: 4500, amplitude: 0), "amplitude"),
        ]
        for (effect, name) in cases {
            do {
                _ = try effect.apply(to: clip, sampleRate: 16_000)
                Issue.record("\(effect) was accepted")
            } catch let error as AudioError {
                #expect(error.description.contains(name), "\(error.description) names \(name)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func melBandsCoveringAFrequencyAndCentredInARange() throws {
        let mel = try MelFrontendConfiguration().mel
        let bands = try #require(mel.bands(covering: 4000))
        let edges = mel.bandEdges
        #expect((1...2).contains(bands.count))
        for band in bands { #expect(edges[band] < 4000 && 4000 < edges[band + 2]) }
        #expect(mel.bands(covering: 9000) == nil)
        let voice = try #require(mel.bands(centredFrom: 400, to: 3200))
        let centres = mel.centerFrequencies
        #expect(voice.allSatisfy { (400...3200).contains(centres[$0]) })
        #expect(centres[voice.lowerBound - 1] < 400 && centres[voice.upperBound] > 3200)
        #expect(mel.bands(centredFrom: 8100, to: 9000) == nil)
    }
}
