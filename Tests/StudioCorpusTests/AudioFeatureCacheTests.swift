import Foundation
import StudioAudio
import Testing

@testable import StudioCorpus

@Suite("Cached log-mel features")
struct AudioFeatureCacheTests {
    @Test func cachesByConfigurationAndFileContent() throws {
        let root = try makeCorpus(["men": ["a.wav"]])
        defer { try? FileManager.default.removeItem(at: root) }
        let clip = root.appendingPathComponent("men/a.wav").path
        let cacheFolder = root.appendingPathComponent("cache").path
        let cache = AudioFeatureCache(
            frontend: try MelFrontendConfiguration(), scaling: try LogMelScaling(), folder: cacheFolder)
        let first = try cache.features(for: clip)
        #expect(first.count == 64 * 64 && first.allSatisfy { $0 >= -1 && $0 <= 1 })
        let cached = try FileManager.default.subpathsOfDirectory(atPath: cacheFolder).filter { $0.hasSuffix(".f32") }
        #expect(cached.count == 1)
        #expect(try cache.features(for: clip) == first)
        // Another configuration never reuses these features.
        let other = AudioFeatureCache(
            frontend: try MelFrontendConfiguration(melBandCount: 32), scaling: try LogMelScaling(), frames: 32,
            folder: cacheFolder)
        #expect(other.configurationKey != cache.configurationKey)
        #expect(try other.features(for: clip).count == 32 * 32)
        // A changed file gets fresh features.
        try AudioFile.write(AudioSignal(samples: [Float](repeating: 0.2, count: 4000), sampleRate: 16_000), to: clip)
        #expect(try cache.features(for: clip) != first)
        #expect(
            try FileManager.default.subpathsOfDirectory(atPath: cacheFolder).filter { $0.hasSuffix(".f32") }.count == 3)
        let batch = try cache.features(for: [clip, clip])
        #expect(batch.count == 2 && batch[0] == batch[1])
        #expect(throws: AudioError.self) { try cache.features(for: [root.appendingPathComponent("missing.wav").path]) }
    }
}
