import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files so that a crash, Ctrl-C or a full disk never leaves a half-written file behind:
/// write a temporary file beside the target, fsync it, then rename it over the target.
public enum AtomicFile {
    /// Errors from atomic writes.
    public enum Failure: Error, CustomStringConvertible {
        /// The temporary file could not be flushed or renamed.
        case commitFailed(path: String, reason: String)

        /// A message that names the culprit and a way out.
        public var description: String {
            switch self {
            case .commitFailed(let path, let reason):
                return "\(path): could not be saved (\(reason)); check free disk space and permissions"
            }
        }
    }

    /// A unique temporary path in the same folder as `path` (so the rename stays on one file system).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Flushes `temporary` to disk and renames it to `path`; removes the temporary on failure.
    public static func commit(temporary: String, to path: String) throws {
        let descriptor = open(temporary, O_RDONLY)
        guard descriptor >= 0 else {
            throw Failure.commitFailed(path: path, reason: String(cString: strerror(errno)))
        }
        let synced = fsync(descriptor)
        let syncErrno = errno
        close(descriptor)
        guard synced == 0 else {
            unlink(temporary)
            throw Failure.commitFailed(path: path, reason: "fsync: \(String(cString: strerror(syncErrno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure.commitFailed(path: path, reason: "rename: \(reason)")
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        let temporary = temporaryPath(for: path)
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            unlink(temporary)
            throw Failure.commitFailed(path: path, reason: error.localizedDescription)
        }
        try commit(temporary: temporary, to: path)
    }
}
