import CDNNL
import Foundation

/// Splits loops across the machine's cores when the work is large enough to pay for waking the
/// other threads. The threads are OpenMP's team, the one oneDNN's convolutions run on, so between a
/// convolution and the loops around it the same workers spin and pick up the next job.
enum Parallel {
    /// Worker count: `STUDIO_THREADS` if set, else the machine's active processors. The engine
    /// does all splitting itself and keeps OpenBLAS single-threaded (see `GemmKernels.swift`).
    static let coreCount: Int = {
        if let text = getenv("STUDIO_THREADS"), let value = Int(String(cString: text)), value > 0 { return value }
        return max(1, ProcessInfoCores.count)
    }()

    /// The calling thread's limit (see `EngineThreads.limited(to:_:)`), kept in thread-local storage.
    private static let limitKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// Threads the calling thread's loops split across: `coreCount`, or less inside
    /// `EngineThreads.limited(to:_:)`.
    static var workers: Int {
        guard let limit = pthread_getspecific(limitKey) else { return coreCount }
        return min(coreCount, Int(bitPattern: limit))
    }

    /// Runs `body` with the calling thread's `workers` at most `limit`, then restores the previous limit.
    static func limited<T>(to limit: Int, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(limitKey)
        pthread_setspecific(limitKey, UnsafeRawPointer(bitPattern: max(1, limit)))
        defer { pthread_setspecific(limitKey, previous) }
        return try body()
    }

    /// Runs `body` over `0..<count` in up to `workers` contiguous chunks, or serially when
    /// `count * costPerItem` (in floats touched) is below `threshold`.
    static func forRange(
        _ count: Int, costPerItem: Int = 1, threshold: Int = 1 << 18, _ body: (Range<Int>) -> Void
    ) {
        let chunks = count * costPerItem >= threshold ? min(workers, count) : 1
        if chunks <= 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { escaping in
            var region = Region(count: count, chunks: chunks, body: escaping)
            withUnsafeMutablePointer(to: &region) { pointer in
                GOMP_parallel(Region.run, pointer, UInt32(chunks), 0)
            }
        }
    }

    /// One parallel region: `chunks` contiguous chunks of `0..<count`, shared by the OpenMP team
    /// (chunk boundaries never depend on the team's size, so results do not either).
    private struct Region {
        let count: Int
        let chunks: Int
        let body: (Range<Int>) -> Void

        /// Every team member runs its share of the chunks; a team smaller than asked for still
        /// covers every chunk.
        static let run: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
            let region = raw!.assumingMemoryBound(to: Region.self).pointee
            let members = Int(omp_get_num_threads())
            for chunk in stride(from: Int(omp_get_thread_num()), to: region.chunks, by: max(members, 1)) {
                region.body(region.count * chunk / region.chunks..<region.count * (chunk + 1) / region.chunks)
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
    enum ProcessInfoCores {
        static let count = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
#else
    import Foundation
    enum ProcessInfoCores {
        static let count = ProcessInfo.processInfo.activeProcessorCount
    }
#endif
