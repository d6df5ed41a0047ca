import Foundation
import ProbeGAN
import StudioAudio
import StudioData
import StudioSupport
import StudioTensor
import Testing

@testable import StudioPipelines

/// The selection's speech-likeness measure on log-mel images of synthetic sounds: harmonic tones
/// whose pitch glides (a crude voice) and steady harmonic tones (a drone).
@Suite("Speech-likeness fidelity: rendered seen-class samples against rendered training clips")
struct SpeechLikenessFidelityTests {
    /// The default frontend's [-1, 1] log-mel image (64 bands x 64 frames) of a harmonic tone whose
    /// F0 moves from `start` to `end` Hz over the clip, with a syllable-like loudness envelope when
    /// `syllables`.
    static func image(start: Double, end: Double, syllables: Bool) throws -> [Float] {
        let extractor = MelSpectrogramExtractor(try SpectrogramAudio.frontend())
        let count = extractor.configuration.sampleCount(forFrames: 64)
        var phase = 0.0
        let samples = (0..<count).map { index -> Float in
            let t = Double(index) / 16_000
            let progress = Double(index) / Double(count)
            let f0 = start * pow(end / start, progress)
            phase += 2 * Double.pi * f0 / 16_000
            let envelope = syllables ? 0.55 + 0.45 * sin(2 * Double.pi * 4 * t) : 1
            let harmonics = (1...6).reduce(0.0) { $0 + sin(Double($1) * phase) / Double($1) }
            return Float(0.2 * envelope * harmonics)
        }
        let power = try extractor.power(samples)
        return try LogMelScaling().normalize(power: power.binMajorValues())
    }

    /// `count` voices gliding in pitch (class 0) or drones (class 1), their F0 spread by index.
    static func images(voices: Bool, count: Int, offset: Int = 0) throws -> [Float] {
        try (0..<count).flatMap { index -> [Float] in
            let f0 = 140 + 9 * Double(index + offset)
            return voices
                ? try image(start: f0, end: f0 * 1.35, syllables: true)
                : try image(start: f0, end: f0, syllables: false)
        }
    }

    @Test func voicesAreCloserToVoicesThanDronesAre() throws {
        let inputs = try Self.images(voices: true, count: 8) + Self.images(voices: false, count: 8)
        let data = ClassificationData(
            inputs: inputs, labels: Array(repeating: 0, count: 8) + Array(repeating: 1, count: 8),
            groups: (0..<16).map { "s\($0)" }, classNames: ["voice", "drone"], channels: 1, height: 64, width: 64)
        let fidelity = try SpeechLikenessFidelity(data: data, perClass: 8, seed: 3)
        #expect(fidelity.referenceClips == 16)
        let voices = Tensor(shape: [6, 1, 64, 64], scalars: try Self.images(voices: true, count: 6, offset: 2))
        let drones = Tensor(shape: [6, 1, 64, 64], scalars: try Self.images(voices: false, count: 6, offset: 2))
        let matched = try fidelity.measure([voices, nil], seed: 9)
        let swapped = try fidelity.measure([drones, nil], seed: 9)
        let near = try #require(matched.distances[0])
        let far = try #require(swapped.distances[0])
        #expect(near < far, "voices \(near), drones \(far) from the voice class's training clips")
        #expect(matched.distances[1] == nil && matched.statistics[1] == nil, "no samples, nothing measured")
        // The statistics tell the glide from the drone without any reference.
        let voiceMovement = try #require(matched.statistics[0]?["f0Movement"])
        let droneMovement = try #require(swapped.statistics[0]?["f0Movement"])
        #expect(voiceMovement > droneMovement + 0.5, "F0 movement \(voiceMovement) against \(droneMovement)")
        #expect(matched.statistics[0]?["pitchedShare"] == 1)
        // One seed, one answer: an evaluation repeats bit for bit.
        #expect(try fidelity.measure([voices, nil], seed: 9) == matched)
        // A NaN image among the samples stops nothing: the class is still measured.
        let broken = Tensor.concatenate(
            [voices, Tensor(shape: [1, 1, 64, 64], scalars: [Float](repeating: .nan, count: 64 * 64))], axis: 0)
        let survived = try fidelity.measure([broken, nil], seed: 9)
        #expect(survived.distances[0].map(\.isFinite) == true)
        #expect(survived.statistics[0]?["pitchedShare"] != nil)
    }

    @Test func aTrainingSetWithoutEightClipsOfAnyClassIsAClearError() throws {
        let data = ClassificationData(
            inputs: try Self.images(voices: true, count: 2), labels: [0, 0], groups: ["a", "b"], classNames: ["voice"],
            channels: 1, height: 64, width: 64)
        #expect(throws: EvaluationPipelineError.self) { try SpeechLikenessFidelity(data: data, seed: 1) }
    }
}
