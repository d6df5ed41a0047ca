import CFFTW

/// A fixed-size, SIMD-aligned float buffer from `fftwf_malloc`.
///
/// FFTW runs about 3x slower on unaligned arrays, and its new-array execute functions require the
/// alignment the plan was made with, so every FFT input and output lives in one of these.
final class AlignedBuffer: @unchecked Sendable {
    /// Number of floats.
    let count: Int
    /// The storage; valid for the buffer's lifetime.
    let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` floats, zero-filled.
    init(count: Int) {
        self.count = count
        let raw = fftwf_malloc(MemoryLayout<Float>.stride * max(count, 1))
        guard let raw else { fatalError("fftwf_malloc failed for \(count) floats: out of memory") }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { fftwf_free(pointer) }

    /// The storage viewed as interleaved complex numbers.
    var complexPointer: UnsafeMutablePointer<fftwf_complex> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: fftwf_complex.self)
    }

    /// Sets every element to zero.
    func zero() { pointer.update(repeating: 0, count: count) }
}
