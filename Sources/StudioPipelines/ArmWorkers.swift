import Foundation
import StudioSupport
import StudioTensor

/// Runs several runs (an experiment's arms, a seed folder's seeds) on `workers` threads at once, each arm's engine work on
/// `threadsPerWorker` threads: on a 2-core machine two one-thread trainings finish 1.45 to 1.6
/// times as many iterations per second as one two-thread training, because much of an iteration
/// (small layers, element-wise work) does not split across threads (`Benchmarks/run jobs`).
///
/// Workers take the arms in order. Outcomes are handed to `finished` one at a time, in the order
/// the arms finish. The first error stops the other workers (their runs write a checkpoint, as on
/// Ctrl-C); once every worker has stopped, `merge` turns every arm's error into the one thrown.
public struct ArmWorkers {
    /// Threads training arms at once.
    public var workers: Int
    /// Engine threads of each worker.
    public var threadsPerWorker: Int

    /// `jobs` workers (at most one per arm) sharing the calling thread's engine threads.
    public init(jobs: Int, arms: Int) {
        self.init(threads: EngineThreads.current, jobs: jobs, arms: arms)
    }

    /// `jobs` workers (at most one per arm) sharing `threads` engine threads.
    public init(threads: Int, jobs: Int, arms: Int) {
        workers = max(1, min(jobs, arms))
        threadsPerWorker = max(1, threads / workers)
    }

    /// Runs `work` for every index of `names` (the arms, whose names prefix their workers' lines)
    /// and hands each result to `finished`. With one worker everything runs on the calling thread,
    /// with its engine threads unchanged. `merge` gets the failed arms' errors, the first to fail
    /// first (by default that one is thrown).
    public func run<Outcome>(
        names: [String], hooks: TrainingHooks, work: (Int, TrainingHooks) throws -> Outcome,
        finished: (Int, Outcome) throws -> Void,
        merge: ([(index: Int, error: Error)]) -> Error = { $0[0].error }
    ) throws {
        if workers == 1 {
            for index in names.indices { try finished(index, try work(index, hooks)) }
            return
        }
        let queue = WorkQueue(count: names.count)
        let threads = threadsPerWorker
        withoutActuallyEscaping(work) { work in
            withoutActuallyEscaping(finished) { finished in
                let shared = SharedClosures(work: work, finished: finished)
                let group = DispatchGroup()
                for _ in 0..<workers {
                    group.enter()
                    let thread = Thread {
                        shared.drain(queue, names: names, hooks: hooks, threads: threads)
                        group.leave()
                    }
                    // Secondary threads get a small stack by default; give them the main thread's 8 MiB.
                    thread.stackSize = 8 << 20
                    thread.start()
                }
                group.wait()
                // A finished Thread object (and the block that holds `shared`) may outlive the wait;
                // dropping the closures here keeps them from escaping this call.
                shared.release()
            }
        }
        let failures = queue.failures
        if !failures.isEmpty { throw merge(failures) }
    }
}

/// The closures that the worker threads call, until the caller, having waited for every worker,
/// releases them.
private final class SharedClosures<Outcome>: @unchecked Sendable {
    private let lock = NSLock()
    private var work: ((Int, TrainingHooks) throws -> Outcome)?
    private var finished: ((Int, Outcome) throws -> Void)?

    init(work: @escaping (Int, TrainingHooks) throws -> Outcome, finished: @escaping (Int, Outcome) throws -> Void) {
        self.work = work
        self.finished = finished
    }

    /// A worker's loop: takes arms from `queue` until none is left or one failed, runs each on
    /// `threads` engine threads, and hands its outcome to `finished` (one at a time).
    func drain(_ queue: WorkQueue, names: [String], hooks: TrainingHooks, threads: Int) {
        while let index = queue.take() {
            let workerHooks = WorkerHooks.make(hooks, name: names[index], stop: { queue.failed })
            do {
                guard let work = lock.withLock({ work }) else { return }
                let outcome = try EngineThreads.limited(to: threads) { try work(index, workerHooks) }
                // One arm's outcome at a time: `finished` writes the interim report.
                try lock.withLock { try finished?(index, outcome) }
            } catch {
                queue.fail(index, error)
            }
        }
    }

    /// Drops the closures; called once every worker has returned from `drain`.
    func release() {
        lock.withLock {
            work = nil
            finished = nil
        }
    }
}

/// The next index to work on, and the errors, the first to fail first.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private var errors = [(index: Int, error: Error)]()

    init(count: Int) { self.count = count }

    /// The next index, or nil when all are taken or a worker failed.
    func take() -> Int? {
        lock.withLock {
            guard errors.isEmpty, next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Records the error of the arm at `index`.
    func fail(_ index: Int, _ error: Error) { lock.withLock { errors.append((index, error)) } }

    var failed: Bool { lock.withLock { !errors.isEmpty } }
    var failures: [(index: Int, error: Error)] { lock.withLock { errors } }
}

/// A worker's hooks: its lines prefixed with its arm, its progress as a line with an ETA at
/// most once a minute (two progress bars cannot share one terminal line), and a stop request
/// when the user presses Ctrl-C or another worker failed.
enum WorkerHooks {
    /// Seconds between a worker's progress lines.
    static let interval: TimeInterval = 60

    static func make(_ hooks: TrainingHooks, name: String, stop: @escaping @Sendable () -> Bool) -> TrainingHooks {
        let phase = PhaseClock()
        return TrainingHooks(
            log: { hooks.log("[\(name)] \($0)") },
            progress: { title, done, total, startedAt, detail in
                guard let line = phase.line(title: title, done: done, total: total, startedAt: startedAt) else {
                    return
                }
                hooks.log("[\(name)] \(line)" + (detail.isEmpty ? "" : " · \(detail)"))
            },
            shouldStop: { hooks.shouldStop() || stop() })
    }
}

/// When a worker's current phase started, and when it last printed.
private final class PhaseClock: @unchecked Sendable {
    private let lock = NSLock()
    private var title = "", total = 0, started = Date(), startDone = 0, printed = Date.distantPast

    /// A progress line for this update, or nil when the last one is less than `interval` old
    /// (the first and the last update of a phase always print).
    func line(title: String, done: Int, total: Int, startedAt: Int) -> String? {
        lock.withLock {
            let now = Date()
            if title != self.title || total != self.total {
                (self.title, self.total, started, startDone, printed) = (
                    title, total, now, max(startedAt, done), .distantPast
                )
            }
            guard done >= total || now.timeIntervalSince(printed) >= WorkerHooks.interval else { return nil }
            printed = now
            let elapsed = now.timeIntervalSince(started)
            let remaining = ProgressBar.remainingSeconds(
                elapsed: elapsed, progressed: done - startDone, left: total - done)
            let eta = done < total ? remaining.map { ", ETA " + Self.duration($0) } ?? "" : ""
            return "\(title) \(done)/\(total), \(Self.duration(elapsed)) elapsed" + eta
        }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60) min \(whole % 60) s" : "\(whole) s"
    }
}
