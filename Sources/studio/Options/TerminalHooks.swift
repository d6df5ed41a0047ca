import Foundation
import StudioPipelines
import StudioSupport

extension TrainingHooks {
    /// Progress bars on standard error, log lines on standard output, Ctrl-C from `flag`.
    static func terminal(_ flag: InterruptFlag) -> TrainingHooks {
        nonisolated(unsafe) var bar: (title: String, bar: ProgressBar)?
        let lock = NSLock()
        return TrainingHooks(
            log: { line in print(line) },
            progress: { title, done, total, startedAt, detail in
                lock.lock()
                // A new bar for a new phase (or the same title with another total, e.g. train then test clips).
                let key = "\(title)#\(total)"
                if bar?.title != key { bar = (key, ProgressBar(title, total: total, startingAt: startedAt)) }
                let current = bar?.bar
                lock.unlock()
                current?.update(done, detail: detail)
            },
            shouldStop: { flag.isSet })
    }
}

/// Set by SIGINT (Ctrl-C) or SIGTERM; a second Ctrl-C exits at once.
final class InterruptFlag: @unchecked Sendable {
    nonisolated(unsafe) static var raised: sig_atomic_t = 0

    var isSet: Bool { Self.raised != 0 }

    static func install() -> InterruptFlag {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if InterruptFlag.raised != 0 { _exit(130) }
            InterruptFlag.raised = 1
            let message = "\nstopping after this iteration and writing a checkpoint (Ctrl-C again to quit at once)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may start us with these signals blocked (they would then stay pending forever).
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        return InterruptFlag()
    }
}
