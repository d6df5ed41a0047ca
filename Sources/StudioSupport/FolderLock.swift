import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a folder that one process writes (a run folder, a listening-test folder):
/// `flock(2)` on `FOLDER/.lock`, released when the lock is released or the process ends in any way
/// (kill -9 included), so a stale lock never needs cleaning up. The file holds the holder's pid for
/// the message a second process gets.
public final class FolderLock: @unchecked Sendable {
    /// Errors of taking a lock.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// Another process holds the folder.
        case held(folder: String, holder: String)
        /// The lock file could not be made.
        case unavailable(folder: String, reason: String)

        /// A message that names the culprit and a way out.
        public var description: String {
            switch self {
            case .held(let folder, let holder):
                return "\(folder) is in use by another studio process (\(holder)); two processes writing one "
                    + "folder would mix their results: wait for it to finish, stop it, or use another folder"
            case .unavailable(let folder, let reason):
                return "\(folder): cannot take its lock (\(reason)); check that the folder is writable"
            }
        }
    }

    private var descriptor: Int32
    private let path: String

    /// Takes the lock of `folder` (created if missing) or throws at once when another process holds it.
    public init(_ folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure.unavailable(folder: folder, reason: error.localizedDescription)
        }
        path = URL(fileURLWithPath: folder).appendingPathComponent(".lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure.unavailable(folder: folder, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            descriptor = -1
            throw Failure.held(folder: folder, holder: holder.map { $0.isEmpty ? "unknown pid" : $0 } ?? "unknown pid")
        }
        let note = "pid \(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { write(descriptor, $0, strlen($0)) }
    }

    /// Releases the lock (also done when the lock is deallocated or the process ends);
    /// `removingFile` also deletes `.lock`, for folders handed to other people.
    public func release(removingFile: Bool = false) {
        guard descriptor >= 0 else { return }
        if removingFile { unlink(path) }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
