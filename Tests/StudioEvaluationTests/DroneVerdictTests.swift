import Foundation
import StudioAudio
import StudioEvaluation
import Testing

/// The case the acoustic verdict exists for: a constant 250 Hz harmonic stack under broadband noise
/// passes every pitch test as "women", and the speech-likeness measures must still tell it from a
/// real woman's voice.
@Suite("A drone against real voices")
struct DroneVerdictTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// 0.6 s windows every 50 ms of a real recorded clip (Debian's kajongg voices).
    static func windows(_ name: String) throws -> [[Float]] {
        let samples = try AudioFile.read(root.appendingPathComponent("Corpora/audio/" + name).path, sampleRate: 16_000)
            .samples
        return stride(from: 0, through: samples.count - 9_600, by: 800).map { Array(samples[$0..<($0 + 9_600)]) }
    }

    /// A drone: a 250 Hz harmonic stack (its F0 a little different per clip) plus white noise.
    static func drone(clip: Int) -> [Float] {
        var state = UInt64(clip + 1) &* 0x9E37_79B9_7F4A_7C15
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(state >> 40) + 0.5) / Float(1 << 24)
        }
        let f0 = 245 + Double(clip % 5) * 2.5
        return (0..<9_600).map { index in
            let t = Double(index) / 16_000
            let voice = (1...8).reduce(0.0) { $0 + sin(2 * .pi * Double($1) * f0 * t) / Double($1) }
            return Float(0.15 * voice) + 0.04 * (uniform() - 0.5) * 3.46
        }
    }

    @Test("pitch calls the drone a woman; speech-likeness puts it far from real women")
    func droneIsNotSpeech() throws {
        let women = try Self.windows("kajongg-female1-dangerousgame.ogg").map {
            try ClipAcoustics.measure($0, sampleRate: 16_000)
        }
        let men = try Self.windows("kajongg-male2-originalcall.ogg").map {
            try ClipAcoustics.measure($0, sampleRate: 16_000)
        }
        let drones = try (0..<women.count).map { try ClipAcoustics.measure(Self.drone(clip: $0), sampleRate: 16_000) }
        #expect(women.count >= 8 && men.count >= 6)

        // Pitch: fitted on the real voices, it calls every drone a woman.
        let all = men + women
        let pitch = try PitchClassifier(
            observations: all.map { PitchObservation(medianF0: $0.medianF0, voicedShare: $0.voicedShare) },
            labels: men.map { _ in 0 } + women.map { _ in 1 }, classNames: ["men", "women"])
        let calledWomen = drones.filter {
            pitch.predict(PitchObservation(medianF0: $0.medianF0, voicedShare: $0.voicedShare)) == 1
        }.count
        #expect(calledWomen == drones.count)

        // Speech-likeness: the drone barely moves in pitch, and sits far from real women, much
        // farther than two halves of the real women's clips from each other.
        let width = ClipAcoustics.speechLikenessFeatureNames.count
        let reference = try Standardization(rows: all.flatMap(\.speechLikenessFeatures), width: width)
        let womenRows = women.map(\.speechLikenessFeatures)
        let droneDistance = try SpeechLikeness.distance(
            drones.flatMap(\.speechLikenessFeatures), womenRows.flatMap { $0 }, width: width, reference: reference)
        let halves = try SpeechLikeness.distance(
            womenRows.enumerated().filter { $0.offset % 2 == 0 }.flatMap(\.element),
            womenRows.enumerated().filter { $0.offset % 2 == 1 }.flatMap(\.element), width: width,
            reference: reference)
        let droneMovement = DistributionSummary(drones.compactMap { $0.f0Movement.map(Double.init) }).median ?? 99
        let womenMovement = DistributionSummary(women.compactMap { $0.f0Movement.map(Double.init) }).median ?? 0
        #expect(droneMovement < 0.3 && womenMovement > 1, "F0 movement: drone \(droneMovement), women \(womenMovement)")
        #expect(droneDistance > 10 * halves && droneDistance > 5, "drone \(droneDistance), real halves \(halves)")
    }
}
