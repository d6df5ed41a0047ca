import Foundation

/// Working memory for one oneDNN execution, reused: the blocked copies and scratchpads of every
/// convolution are transient, and allocating them per call let the heap grow by hundreds of MB
/// (peak memory of the training step 1.43x PyTorch's). One arena per thread convolving at once,
/// each as large as the largest execution it served.
final class ScratchArena: @unchecked Sendable {
    private(set) var buffer: UnsafeMutableRawPointer
    private var capacity: Int

    private init(bytes: Int) {
        capacity = max(bytes, 64)
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle = [ScratchArena]()

    /// `bytes` rounded up to a multiple of 64.
    static func aligned(_ bytes: Int) -> Int { (bytes + 63) / 64 * 64 }

    /// An idle arena of at least `bytes` (grown if needed), or a new one.
    static func take(bytes: Int) -> ScratchArena {
        let arena = lock.withLock { idle.popLast() } ?? ScratchArena(bytes: bytes)
        if arena.capacity < bytes {
            arena.buffer.deallocate()
            arena.capacity = bytes
            arena.buffer = .allocate(byteCount: bytes, alignment: 64)
        }
        return arena
    }

    /// Returns an arena for the next execution.
    static func give(_ arena: ScratchArena) {
        lock.withLock { idle.append(arena) }
    }
}
