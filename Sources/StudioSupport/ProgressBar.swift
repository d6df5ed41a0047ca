import Foundation

/// A one-line progress bar with rate and ETA on standard error: redrawn in place on a terminal;
/// otherwise (a log file, CI) a line at most every `quietInterval` seconds and one when done, so
/// logs stay short.
public final class ProgressBar: @unchecked Sendable {
    private let title: String
    private let total: Int
    private let start = Date()
    private let lock = NSLock()
    private var lastDrawn = -1
    private var lastWritten: Date?
    private let interactive: Bool
    private let quietInterval: TimeInterval
    private let output: @Sendable (String) -> Void
    private let startingAt: Int

    /// A bar for `total` steps, of which `startingAt` were done before (a resumed run: the rate
    /// and ETA count only this process's steps). `interactive` defaults to whether standard error
    /// is a terminal; `output` to standard error.
    public init(
        _ title: String, total: Int, startingAt: Int = 0, interactive: Bool = isatty(2) != 0,
        quietInterval: TimeInterval = 30,
        output: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.title = title
        self.total = max(total, 1)
        self.startingAt = startingAt
        self.interactive = interactive
        self.quietInterval = quietInterval
        self.output = output
    }

    /// Reports that `done` steps are finished (thread-safe), with an optional detail such as current losses.
    public func update(_ done: Int, detail: String = "") {
        lock.lock()
        defer { lock.unlock() }
        let percent = min(100, done * 100 / total)
        let now = Date()
        if interactive {
            guard percent != lastDrawn || done == total else { return }
        } else {
            guard done >= total || now.timeIntervalSince(lastWritten ?? start) >= quietInterval else { return }
            guard percent != lastDrawn else { return }
            lastWritten = now
        }
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
        output((interactive ? "\r" : "") + line + (interactive && done < total ? "" : "\n"))
    }

    /// The ETA rule every progress display shares: the seconds still to go if the `left` steps
    /// take as long each as the `progressed` ones did in `elapsed` seconds; nil before any step.
    public static func remainingSeconds(elapsed: TimeInterval, progressed: Int, left: Int) -> TimeInterval? {
        progressed > 0 ? elapsed / Double(progressed) * Double(max(left, 0)) : nil
    }
}
