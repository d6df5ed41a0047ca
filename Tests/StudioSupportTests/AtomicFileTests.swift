import Foundation
import StudioSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Writes replace a regular file or make a new one, and nothing else: a device, pipe, folder or
/// link at the path is left untouched with a message naming it.
@Suite("Atomic file writes")
struct AtomicFileTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func newAndRegularFilesAreWrittenWhole() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.txt").path
        try AtomicFile.write(Data("one".utf8), to: path)
        try AtomicFile.write(Data("two".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("two".utf8))
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.txt"])
    }

    @Test func pipesFoldersAndLinksAreLeftUntouched() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let directory = folder.appendingPathComponent("dir").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let target = folder.appendingPathComponent("target.txt").path
        try AtomicFile.write(Data("kept".utf8), to: target)
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for path in [pipe, directory, link] {
            #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write(Data("x".utf8), to: path) }
        }
        var status = stat()
        #expect(lstat(pipe, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat(link, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
        #expect(FileManager.default.contents(atPath: target) == Data("kept".utf8))
        #expect(
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
                == ["pipe", "dir", "target.txt", "link"])
        // A temporary written by another writer is removed when the commit is refused.
        let temporary = AtomicFile.temporaryPath(for: pipe)
        try Data("y".utf8).write(to: URL(fileURLWithPath: temporary))
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.commit(temporary: temporary, to: pipe) }
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }
}
