#if canImport(CSystem)
    import CSystem

    /// Keeps freed tensor buffers in the heap for reuse instead of returning each to the kernel:
    /// glibc maps blocks over 128 KiB with mmap and unmaps them on free, so every new activation
    /// would page-fault again (5% of the reference training step). Blocks of 64 MiB and more are
    /// still mapped: measured on that step, a 32 MiB threshold cut peak memory to 1.42 GB but cost
    /// 18% time, 256 MiB gave 2.05 GB; 64 MiB gave 1.56 GB at full speed.
    let keepFreedMemory: Void = {
        _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    }()
#else
    let keepFreedMemory: Void = ()
#endif

/// A 64-byte-aligned float buffer that tensors share (copy-on-write happens at the op level: every
/// op writes a fresh buffer, so storage is never mutated once a tensor holds it, except by
/// optimisers updating parameters in place).
public final class TensorStorage: @unchecked Sendable {
    /// Number of floats.
    public let count: Int
    /// The floats; valid for the storage's lifetime.
    public let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage for `count` floats (callers overwrite every element).
    public init(uninitializedCount count: Int) {
        _ = keepFreedMemory
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Storage filled with `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Storage holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    /// The floats as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
