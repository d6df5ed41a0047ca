import Dispatch
import Foundation

/// Work spread over every core, results in input order.
public enum ParallelMap {
    /// `body(0) ..< body(count)` on every core; the first error thrown is rethrown after all
    /// iterations end. `progress` gets (done, total) from whichever thread finished one.
    public static func map<T: Sendable>(
        _ count: Int, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        _ body: @Sendable (Int) throws -> T
    ) throws -> [T] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [T?](repeating: nil, count: count)
        nonisolated(unsafe) var failure: Error?
        nonisolated(unsafe) var done = 0
        DispatchQueue.concurrentPerform(iterations: count) { index in
            lock.lock()
            let failed = failure != nil
            lock.unlock()
            let result = failed ? nil : Result { try body(index) }
            lock.lock()
            switch result {
            case .success(let value): results[index] = value
            case .failure(let error): failure = failure ?? error
            case nil: break
            }
            done += 1
            let finished = done
            lock.unlock()
            progress(finished, count)
        }
        if let failure { throw failure }
        return results.map { $0! }
    }
}
