import Foundation
import StudioSupport
import Testing

/// One writer per folder: a second lock is refused at once, naming the holder; released locks and
/// ended processes leave nothing to clean up.
@Suite("Folder locks")
struct FolderLockTests {
    @Test func aSecondWriterIsRefusedUntilTheFirstReleases() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try FolderLock(folder)
        #expect {
            try FolderLock(folder)
        } throws: { error in
            "\(error)".contains("pid \(ProcessInfo.processInfo.processIdentifier)") && "\(error)".contains(folder)
        }
        first.release()
        let second = try FolderLock(folder)
        second.release(removingFile: true)
        #expect(!FileManager.default.fileExists(atPath: folder + "/.lock"))
    }

    @Test func aLockDiesWithItsProcess() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // flock(1) from util-linux takes the lock and becomes `sleep` (no fork), which is then killed.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", "--no-fork", folder + "/.lock", "sleep", "30"]
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        var refused = false
        for _ in 0..<50 where !refused {
            do {
                try FolderLock(folder).release()
                usleep(100_000)
            } catch {
                refused = true
            }
        }
        #expect(refused, "the other process's lock was not seen")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect((try? FolderLock(folder)) != nil, "the lock of a killed process was not released")
    }
}
