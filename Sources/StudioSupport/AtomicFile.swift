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
        /// Something other than a regular file (a device, a folder, a link, a pipe) is at the path.
        case notARegularFile(path: String)

        /// A message that names the culprit and a way out.
        public var description: String {
            switch self {
            case .commitFailed(let path, let reason):
                return "\(path): could not be saved (\(reason)); check free disk space and permissions"
            case .notARegularFile(let path):
                return "\(path) exists and is not a regular file (a device, folder, link or pipe); it was left "
                    + "untouched: write to a new path or to a regular file"
            }
        }
    }

    /// A unique temporary path in the same folder as `path` (so the rename stays on one file system).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Checks that `path` is new or a regular file, the only things a write may replace.
    /// - Throws: `Failure.notARegularFile` for a device, folder, symbolic link, pipe or socket.
    public static func requireReplaceable(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT != S_IFREG { throw Failure.notARegularFile(path: path) }
    }

    /// Flushes `temporary` to disk and renames it to `path`; removes the temporary on failure (and
    /// when `path` is not new and not a regular file).
    public static func commit(temporary: String, to path: String) throws {
        do {
            try requireReplaceable(path)
        } catch {
            unlink(temporary)
            throw error
        }
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
        try requireReplaceable(path)
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
