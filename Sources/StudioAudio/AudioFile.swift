import CSndFile
import Foundation
import StudioSupport

/// Mono audio samples at a known sample rate, nominally in [-1, 1].
public struct AudioSignal: Sendable, Equatable {
    /// The samples.
    public var samples: [Float]
    /// Samples per second (librosa: `sr`).
    public var sampleRate: Int

    /// Wraps samples at a sample rate.
    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    /// Length in seconds.
    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// What a file holds before any conversion.
public struct AudioFileInfo: Sendable, Equatable {
    /// Frames (samples per channel).
    public var frameCount: Int
    /// Sample rate in Hz.
    public var sampleRate: Int
    /// Channel count.
    public var channelCount: Int
    /// libsndfile's format name, for example "WAV (Microsoft)" or "OGG (OGG Container format)".
    public var formatName: String
}

/// Sample encodings for writing.
public enum SampleEncoding: String, Sendable, CaseIterable {
    /// 16-bit signed PCM (the default; what every player accepts).
    case pcm16
    /// 32-bit IEEE float.
    case float32
}

/// Reads and writes audio files through libsndfile.
///
/// Reading accepts anything libsndfile decodes (WAV of any PCM or float width, FLAC, OGG/Vorbis, MP3,
/// AIFF, ...), at any sample rate and channel count. Writing produces WAV.
public enum AudioFile {
    /// Reads a file as it is stored, without any conversion but the downmix to mono.
    ///
    /// Channels are averaged. Integer PCM is scaled to [-1, 1) (libsndfile's float normalisation).
    /// - Throws: `AudioError.fileNotFound`, `.unreadableFile`, `.emptyAudio`, `.truncatedFile`,
    ///   `.nonFiniteSamples`.
    public static func readMono(_ path: String) throws -> (signal: AudioSignal, info: AudioFileInfo) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioError.fileNotFound(path: path)
        }
        if isDirectory.boolValue {
            throw AudioError.unreadableFile(path: path, reason: "it is a folder, not a file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if size == 0 { throw AudioError.emptyAudio(path: path) }
        var sfInfo = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &sfInfo) else {
            let reason = String(cString: sf_strerror(nil))
            throw AudioError.unreadableFile(path: path, reason: reason)
        }
        defer { sf_close(handle) }
        let info = AudioFileInfo(
            frameCount: Int(sfInfo.frames), sampleRate: Int(sfInfo.samplerate),
            channelCount: Int(sfInfo.channels), formatName: formatName(sfInfo.format))
        guard info.frameCount > 0 else { throw AudioError.emptyAudio(path: path) }
        guard info.sampleRate > 0, info.channelCount > 0 else {
            throw AudioError.unreadableFile(path: path, reason: "header has no sample rate or channels")
        }
        if let promised = truncationInLog(handle, availableFrames: info.frameCount), promised > info.frameCount {
            throw AudioError.truncatedFile(
                path: path, expectedFrames: promised, readFrames: info.frameCount)
        }

        let channels = info.channelCount
        guard channels <= 256 else {
            throw AudioError.unreadableFile(path: path, reason: "header claims \(channels) channels")
        }
        // Read block by block until the decoder stops: a damaged or cut file's header (a truncated
        // Ogg stream reports an unknown length) is never trusted with an allocation.
        let block = 65_536
        let maximumFrames = 1 << 32 / channels
        var interleaved = [Float]()
        var chunk = [Float](repeating: 0, count: block * channels)
        var readFrames = 0
        while true {
            let got = chunk.withUnsafeMutableBufferPointer { buffer in
                Int(sf_readf_float(handle, buffer.baseAddress, sf_count_t(block)))
            }
            guard got > 0 else { break }
            interleaved += chunk[0..<(min(got, block) * channels)]
            readFrames += min(got, block)
            guard readFrames <= maximumFrames else {
                throw AudioError.unreadableFile(
                    path: path, reason: "more than \(maximumFrames) frames; cut it into shorter files")
            }
        }
        if sf_error(handle) != 0 {
            let reason = String(cString: sf_strerror(handle))
            throw AudioError.unreadableFile(path: path, reason: reason)
        }
        guard readFrames > 0 else { throw AudioError.emptyAudio(path: path) }
        // Compressed formats may report a frame count estimate; accept a small shortfall there,
        // but a PCM file that delivers less than its header promised is truncated.
        let isPCM =
            (sfInfo.format & Int32(SF_FORMAT_TYPEMASK)) == Int32(SF_FORMAT_WAV)
            || (sfInfo.format & Int32(SF_FORMAT_TYPEMASK)) == Int32(SF_FORMAT_AIFF)
        if isPCM && readFrames < info.frameCount {
            throw AudioError.truncatedFile(
                path: path, expectedFrames: info.frameCount, readFrames: readFrames)
        }

        var mono = [Float](repeating: 0, count: readFrames)
        if channels == 1 {
            mono.withUnsafeMutableBufferPointer { out in
                interleaved.withUnsafeBufferPointer { source in
                    out.baseAddress!.update(from: source.baseAddress!, count: readFrames)
                }
            }
        } else {
            let scale = 1 / Float(channels)
            interleaved.withUnsafeBufferPointer { source in
                for frame in 0..<readFrames {
                    var sum: Float = 0
                    for channel in 0..<channels { sum += source[frame * channels + channel] }
                    mono[frame] = sum * scale
                }
            }
        }
        if let bad = mono.firstIndex(where: { !$0.isFinite }) {
            throw AudioError.nonFiniteSamples(path: path, firstIndex: bad)
        }
        var result = info
        result.frameCount = readFrames
        return (AudioSignal(samples: mono, sampleRate: info.sampleRate), result)
    }

    /// Reads a file, downmixes to mono and resamples to `sampleRate` with a band-limited resampler.
    /// - Parameters:
    ///   - path: Any file libsndfile reads.
    ///   - sampleRate: The working rate in Hz (default 16 kHz).
    ///   - quality: The resampler's quality.
    public static func read(
        _ path: String, sampleRate: Int = 16_000, quality: ResamplerQuality = .best
    ) throws -> AudioSignal {
        let (signal, _) = try readMono(path)
        return try Resampler.resample(signal, to: sampleRate, quality: quality)
    }

    /// Writes mono samples as a WAV file, atomically (temporary file, fsync, rename).
    ///
    /// 16-bit output clips to [-1, 1]; nothing wraps around.
    /// - Throws: `AudioError.nonFiniteSamples` for NaN or infinite input (nothing is written),
    ///   `.writeFailed` when the disk or folder refuses.
    public static func write(
        _ signal: AudioSignal, to path: String, encoding: SampleEncoding = .pcm16
    ) throws {
        try AudioError.require(signal.sampleRate > 0, "sampleRate", signal.sampleRate, "must be > 0")
        if let bad = signal.samples.firstIndex(where: { !$0.isFinite }) {
            throw AudioError.nonFiniteSamples(path: path, firstIndex: bad)
        }
        var sfInfo = SF_INFO()
        sfInfo.samplerate = Int32(signal.sampleRate)
        sfInfo.channels = 1
        let subtype = encoding == .pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT
        sfInfo.format = Int32(SF_FORMAT_WAV | subtype)
        let temporary = AtomicFile.temporaryPath(for: path)
        guard let handle = sf_open(temporary, Int32(SFM_WRITE), &sfInfo) else {
            throw AudioError.writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        if encoding == .pcm16 { sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE)) }
        let written = signal.samples.withUnsafeBufferPointer { buffer in
            Int(sf_writef_float(handle, buffer.baseAddress, sf_count_t(signal.samples.count)))
        }
        let writeError = sf_error(handle) != 0 ? String(cString: sf_strerror(handle)) : nil
        sf_write_sync(handle)
        sf_close(handle)
        guard written == signal.samples.count, writeError == nil else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw AudioError.writeFailed(
                path: path, reason: writeError ?? "wrote \(written) of \(signal.samples.count) frames")
        }
        do {
            try AtomicFile.commit(temporary: temporary, to: path)
        } catch {
            throw AudioError.writeFailed(path: path, reason: "\(error)")
        }
    }

    /// libsndfile's name for a format code.
    private static func formatName(_ format: Int32) -> String {
        var formatInfo = SF_FORMAT_INFO()
        formatInfo.format = format & Int32(SF_FORMAT_TYPEMASK)
        let status = sf_command(
            nil, Int32(SFC_GET_FORMAT_INFO), &formatInfo, Int32(MemoryLayout<SF_FORMAT_INFO>.size))
        guard status == 0, let name = formatInfo.name else { return "unknown" }
        return String(cString: name)
    }

    /// libsndfile opens a WAV whose data chunk is shorter than its header says and only notes it in
    /// its log (`data : 176400 (should be 29956)`); this finds that note and returns the frame count
    /// the header promised.
    private static func truncationInLog(_ handle: OpaquePointer, availableFrames: Int) -> Int? {
        var buffer = [CChar](repeating: 0, count: 8192)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            Int(sf_command(handle, Int32(SFC_GET_LOG_INFO), pointer.baseAddress, Int32(pointer.count)))
        }
        guard length > 0 else { return nil }
        let log = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for line in log.split(separator: "\n") where line.hasPrefix("data") && line.contains("should be") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard numbers.count >= 2, numbers[1] > 0 else { return availableFrames + 1 }
            return Int((Double(numbers[0]) / Double(numbers[1]) * Double(availableFrames)).rounded())
        }
        return nil
    }
}
