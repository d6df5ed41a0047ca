import Foundation

/// A one-line progress bar with rate and ETA on standard error (redrawn in place on a terminal,
/// one line per 10% otherwise, so CI logs stay short).
public final class ProgressBar: @unchecked Sendable {
    private let title: String
    private let total: Int
    private let start = Date()
    private let lock = NSLock()
    private var lastDrawn = -1
    private let interactive = isatty(2) != 0

    /// A bar for `total` steps.
    public init(_ title: String, total: Int) {
        self.title = title
        self.total = max(total, 1)
    }

    /// Reports that `done` steps are finished (thread-safe).
    public func update(_ done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let percent = min(100, done * 100 / total)
        guard interactive ? percent != lastDrawn || done == total : percent / 10 != lastDrawn / 10 else { return }
        lastDrawn = percent
        let elapsed = Date().timeIntervalSince(start)
        let remaining = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(
            format: "%@ [%@] %3d%% %d/%d, %.0fs elapsed, ETA %.0fs", title, bar, percent, done, total, elapsed,
            remaining)
        FileHandle.standardError.write(
            Data(((interactive ? "\r" : "") + line + (interactive && done < total ? "" : "\n")).utf8))
    }
}
