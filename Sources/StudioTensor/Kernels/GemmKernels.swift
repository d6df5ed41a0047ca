import CBLAS

// Every BLAS call of the engine lives here. Row-major throughout.
//
// OpenBLAS runs single-threaded: the engine splits work across cores itself (convolutions by
// sample, large products by rows of C). Measured on the reference training step, OpenBLAS's own
// threads spent about a fifth of the time in sched_yield and wake-ups on the many small per-sample
// GEMMs, and they spin after each call, taking CPU from everything else.

/// Sets OpenBLAS to one thread, once, before the first GEMM.
let singleThreadedBLAS: Void = { openblas_set_num_threads(1) }()

/// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape [m, k] and `op(B)` of shape [k, n].
/// With `parallel`, large products are split by rows of C across the engine's threads.
@inline(__always)
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool = false
) {
    _ = singleThreadedBLAS
    guard m > 0, n > 0 else { return }
    let workers = Parallel.workers
    if parallel && workers > 1 && m >= 2 * workers && m * n * k >= 1 << 21 {
        Parallel.forRange(m, threshold: 0) { rows in
            // Row r of op(A) starts at a + r * lda (plain) or a + r (transposed: column r of A).
            let rowsOfA = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            gemm(
                transposeA: transposeA, transposeB: transposeB, m: rows.count, n: n, k: k, alpha: alpha, rowsOfA,
                lda: lda, b, ldb: ldb, beta: beta, c + rows.lowerBound * ldc, ldc: ldc)
        }
        return
    }
    guard k > 0 else {
        if beta == 0 {
            for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) }
        } else {
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
        }
        return
    }
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The engine's threading.
public enum EngineThreads {
    /// Threads the engine splits work across (`STUDIO_THREADS`, else the number of cores).
    public static var count: Int { Parallel.coreCount }

    /// Threads the engine splits the calling thread's work across: `count`, or less inside
    /// `limited(to:_:)`.
    public static var current: Int { Parallel.workers }

    /// Runs `body` with the engine splitting this thread's work across at most `limit` threads
    /// (at least 1), so that several trainings can share the cores, one thread each, instead of
    /// taking turns. Other threads keep their own limit. Sums split across threads are added in
    /// another order, so results differ from a run with another limit in the last bits.
    public static func limited<T>(to limit: Int, _ body: () throws -> T) rethrows -> T {
        try Parallel.limited(to: limit, body)
    }
}
