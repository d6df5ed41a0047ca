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
    private let startingAt: Int

    /// A bar for `total` steps, of which `startingAt` were done before (a resumed run: the rate
    /// and ETA count only this process's steps).
    public init(_ title: String, total: Int, startingAt: Int = 0) {
        self.title = title
        self.total = max(total, 1)
        self.startingAt = startingAt
    }

    /// Reports that `done` steps are finished (thread-safe), with an optional detail such as current losses.
    public func update(_ done: Int, detail: String = "") {
        lock.lock()
        defer { lock.unlock() }
        let percent = min(100, done * 100 / total)
        guard interactive ? percent != lastDrawn || done == total : percent / 10 != lastDrawn / 10 else { return }
        lastDrawn = percent
        let elapsed = Date().timeIntervalSince(start)
        let progressed = done - startingAt
        let remaining = Self.remainingSeconds(elapsed: elapsed, progressed: progressed, left: total - done) ?? 0
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line =
            String(
                format: "%@ [%@] %3d%% %d/%d, %.0fs elapsed, ETA %.0fs", title, bar, percent, done, total, elapsed,
                remaining) + (detail.isEmpty ? "" : ", " + detail)
        FileHandle.standardError.write(
            Data(((interactive ? "\r" : "") + line + (interactive && done < total ? "" : "\n")).utf8))
    }

    /// The ETA rule every progress display shares: the seconds still to go if the `left` steps
    /// take as long each as the `progressed` ones did in `elapsed` seconds; nil before any step.
    public static func remainingSeconds(elapsed: TimeInterval, progressed: Int, left: Int) -> TimeInterval? {
        progressed > 0 ? elapsed / Double(progressed) * Double(max(left, 0)) : nil
    }
}
