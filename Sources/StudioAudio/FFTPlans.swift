import CFFTW
import Foundation

/// Batched FFTW plans for one FFT size, shared by every transform of that size.
///
/// FFTW's planner is not thread-safe (concurrent planning aborted 3 of 3 stress runs here), so plans
/// are made once under a process-wide lock and cached; executing a plan on new arrays is thread-safe,
/// which is how every transform uses them.
final class FFTPlans: @unchecked Sendable {
    /// Frames transformed by one plan execution.
    static let blockSize = 32

    /// FFT length.
    let fftSize: Int
    /// Real-to-complex plan over `blockSize` frames: input stride `fftSize`, output stride `binCount`.
    let forward: OpaquePointer
    /// Complex-to-real plan (unnormalised; destroys its input).
    let inverse: OpaquePointer

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Int: FFTPlans] = [:]

    /// The shared plans for `fftSize`.
    static func plans(fftSize: Int) -> FFTPlans {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[fftSize] { return cached }
        let made = FFTPlans(fftSize: fftSize)
        cache[fftSize] = made
        return made
    }

    private init(fftSize: Int) {
        self.fftSize = fftSize
        let bins = fftSize / 2 + 1
        let block = FFTPlans.blockSize
        // Plan on buffers of the same alignment (fftwf_malloc) that executions will use.
        let real = AlignedBuffer(count: fftSize * block)
        let complex = AlignedBuffer(count: 2 * bins * block)
        var size = [Int32(fftSize)]
        // ESTIMATE, not MEASURE: measured plans vary between runs (so would the last bits of every result)
        // and gained under 5% here (2.13 vs 2.22 us per 1024-point frame).
        let flags = UInt32(FFTW_ESTIMATE)
        guard
            let forward = fftwf_plan_many_dft_r2c(
                1, &size, Int32(block), real.pointer, nil, 1, Int32(fftSize),
                complex.complexPointer, nil, 1, Int32(bins), flags),
            let inverse = fftwf_plan_many_dft_c2r(
                1, &size, Int32(block), complex.complexPointer, nil, 1, Int32(bins),
                real.pointer, nil, 1, Int32(fftSize), flags)
        else { fatalError("FFTW could not plan a size-\(fftSize) transform") }
        self.forward = forward
        self.inverse = inverse
    }

    /// Scratch buffers for one thread's use of these plans.
    func makeScratch() -> (real: AlignedBuffer, complex: AlignedBuffer) {
        (AlignedBuffer(count: fftSize * FFTPlans.blockSize),
         AlignedBuffer(count: 2 * (fftSize / 2 + 1) * FFTPlans.blockSize))
    }
}
