/// Everything that can go wrong in the audio frontend; each case names the culprit and a way out.
public enum AudioError: Error, Equatable, CustomStringConvertible {
    /// A parameter has an illegal value (librosa: `ParameterError`).
    case invalidParameter(name: String, value: String, reason: String)
    /// The file does not exist.
    case fileNotFound(path: String)
    /// libsndfile could not open or decode the file (unknown format, corrupt header, no permission).
    case unreadableFile(path: String, reason: String)
    /// The file decodes to zero samples.
    case emptyAudio(path: String)
    /// The file is shorter than its header says.
    case truncatedFile(path: String, expectedFrames: Int, readFrames: Int)
    /// A sample is NaN or infinite.
    case nonFiniteSamples(path: String, firstIndex: Int)
    /// Writing failed (disk full, no permission, missing folder).
    case writeFailed(path: String, reason: String)
    /// The resampler refused the conversion.
    case resamplingFailed(reason: String)
    /// Two inputs that must agree in shape do not.
    case shapeMismatch(what: String, expected: String, actual: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return "\(name)=\(value) \(reason)"
        case .fileNotFound(let path):
            return "\(path): no such file; check the path (relative paths start at the current folder)"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot be read as audio (\(reason)); "
                + "convert it to WAV or FLAC, e.g. `sox IN -r 16000 -c 1 OUT.wav`"
        case .emptyAudio(let path):
            return "\(path): holds no audio samples; remove it or record a longer file"
        case .truncatedFile(let path, let expected, let read):
            return "\(path): truncated: the header promises \(expected) frames but only \(read) could be "
                + "read; re-export or re-download the file"
        case .nonFiniteSamples(let path, let index):
            return "\(path): sample \(index) is NaN or infinite; the file is corrupt or was written "
                + "from a diverged computation"
        case .writeFailed(let path, let reason):
            return "\(path): cannot be written (\(reason)); check free disk space and permissions"
        case .resamplingFailed(let reason):
            return "resampling failed: \(reason)"
        case .shapeMismatch(let what, let expected, let actual):
            return "\(what): expected \(expected), got \(actual)"
        }
    }
}

extension AudioError {
    /// Throws `invalidParameter` unless `condition` holds.
    static func require(
        _ condition: Bool, _ name: String, _ value: some CustomStringConvertible, _ reason: String
    ) throws {
        if !condition {
            throw AudioError.invalidParameter(name: name, value: value.description, reason: reason)
        }
    }
}
