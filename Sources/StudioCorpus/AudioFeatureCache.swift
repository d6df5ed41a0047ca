import Dispatch
import Foundation
import StudioAudio
import StudioSupport

/// Clip -> normalised log-mel image `[1, bands, frames]` in [-1, 1], cached on disk.
///
/// Cache files are keyed by a hash of every frontend parameter (and the frame count and scaling)
/// and by a checksum of the audio file's bytes, so a changed configuration or a changed file never
/// reuses stale features.
public struct AudioFeatureCache: Sendable {
    /// The frontend.
    public let extractor: MelSpectrogramExtractor
    /// The [-1, 1] mapping.
    public let scaling: LogMelScaling
    /// Frames per image (clips are cut or zero-padded to exactly this many).
    public let frames: Int
    /// Where features are kept (`nil`: no caching).
    public let folder: String?

    /// A cache for one frontend configuration.
    public init(frontend: MelFrontendConfiguration, scaling: LogMelScaling, frames: Int = 64, folder: String?) {
        extractor = MelSpectrogramExtractor(frontend)
        self.scaling = scaling
        self.frames = frames
        self.folder = folder
    }

    /// The hash of everything that changes the features.
    public var configurationKey: String {
        let stft = extractor.configuration.stft
        let mel = extractor.configuration.mel
        let description = [
            "v1", "\(mel.sampleRate)", "\(stft.fftSize)", "\(stft.hopLength)", "\(stft.windowLength)", "\(stft.center)",
            stft.padMode.rawValue, "\(mel.melBandCount)", "\(mel.minFrequency)", "\(mel.maxFrequency)",
            mel.scale.rawValue,
            mel.normalization.rawValue, "\(scaling.minDecibels)", "\(scaling.maxDecibels)", "\(frames)",
        ].joined(separator: "|")
        return Fingerprint.fnv1a64(description)
    }

    /// What one image is, in words: every parameter that changes it. Classifiers and run folders
    /// record it, so a judge or a classifier made from another frontend is refused, not misread.
    public var representation: String {
        let stft = extractor.configuration.stft
        let mel = extractor.configuration.mel
        return "log-mel \(mel.sampleRate) Hz, FFT \(stft.fftSize), window \(stft.windowLength), hop \(stft.hopLength), "
            + "centred \(stft.center) (\(stft.padMode.rawValue)), \(mel.melBandCount) \(mel.scale.rawValue) bands "
            + "\(mel.minFrequency)-\(mel.maxFrequency) Hz (\(mel.normalization.rawValue) normalisation), "
            + "\(scaling.minDecibels)...\(scaling.maxDecibels) dB to [-1, 1], \(frames) frames"
    }

    /// Samples one image needs.
    public var sampleCount: Int { extractor.configuration.sampleCount(forFrames: frames) }

    /// The image for one file: `bands * frames` floats, row `b` = mel band `b` (lowest first).
    public func features(for path: String) throws -> [Float] {
        let bands = extractor.configuration.mel.melBandCount
        guard let bytes = FileManager.default.contents(atPath: path) else { throw AudioError.fileNotFound(path: path) }
        let cacheFile = folder.map {
            URL(fileURLWithPath: $0).appendingPathComponent("features-\(configurationKey)")
                .appendingPathComponent(Fingerprint.fnv1a64(bytes: bytes) + ".f32").path
        }
        if let cacheFile, let cached = FileManager.default.contents(atPath: cacheFile),
            cached.count == 4 * bands * frames
        {
            return cached.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        let mel = try extractor.power(try clip(for: path))
        let image = scaling.normalize(power: mel.binMajorValues())
        if let cacheFile {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: cacheFile).deletingLastPathComponent().path,
                withIntermediateDirectories: true)
            try AtomicFile.write(image.withUnsafeBytes { Data($0) }, to: cacheFile)
        }
        return image
    }

    /// The samples one image is made of: the file at the frontend's rate, its first `sampleCount`
    /// samples, or the whole file centred in zeros when it is shorter.
    public func clip(for path: String) throws -> [Float] {
        var samples = try AudioFile.read(path, sampleRate: extractor.configuration.mel.sampleRate).samples
        if samples.count < sampleCount {
            let before = (sampleCount - samples.count) / 2
            samples =
                [Float](repeating: 0, count: before) + samples
                + [Float](repeating: 0, count: sampleCount - samples.count - before)
        }
        return Array(samples.prefix(sampleCount))
    }

    /// Images for many files, on every core, in the order given; `progress` gets (done, total).
    public func features(for paths: [String], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws
        -> [[Float]]
    {
        let lock = NSLock()
        nonisolated(unsafe) var results = [[Float]?](repeating: nil, count: paths.count)
        nonisolated(unsafe) var failure: Error?
        nonisolated(unsafe) var done = 0
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result = Result { try features(for: paths[index]) }
            lock.lock()
            switch result {
            case .success(let image): results[index] = image
            case .failure(let error): failure = failure ?? error
            }
            done += 1
            let count = done
            lock.unlock()
            progress(count, paths.count)
        }
        if let failure { throw failure }
        return results.map { $0! }
    }
}
