import CBLAS

// Every BLAS call of the engine lives here. Row-major throughout.

/// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape [m, k] and `op(B)` of shape [k, n].
@inline(__always)
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
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

/// OpenBLAS's thread count (the engine leaves it at the library default unless told otherwise).
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses for one GEMM.
    public static func set(_ count: Int) { openblas_set_num_threads(Int32(count)) }
    /// The number of threads OpenBLAS uses.
    public static var count: Int { Int(openblas_get_num_threads()) }
}
