/// Everything that can go wrong in the image frontend; each case names the culprit.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// A parameter has an illegal value.
    case invalidParameter(name: String, value: String, reason: String)
    /// Writing failed (disk full, no permission, missing folder).
    case writeFailed(path: String, reason: String)
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file is not a PNG image libpng can decode.
    case unreadableFile(path: String, reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return "\(name)=\(value) \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot be written (\(reason)); check free disk space and permissions"
        case .fileNotFound(let path):
            return "\(path): no such file; check the path"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot be read as PNG (\(reason))"
        }
    }
}
