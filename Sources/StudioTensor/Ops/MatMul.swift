// Matrix products through OpenBLAS sgemm.

extension Tensor {
    /// `op(a) * op(b)` for matrices, where `op` transposes when asked.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(
            k == kb,
            "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "^T" : "") x \(b.shape)\(transposeB ? "^T" : "")"
        )
        let value = makeTensor([m, n]) { out in
            a.withPointer { pa in
                b.withPointer { pb in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, pa, lda: a.shape[1], pb,
                        ldb: b.shape[1], out, ldc: n, parallel: true)
                }
            }
        }
        return Tape.record(value, inputs: [a, b]) { g, _, needs in
            switch (transposeA, transposeB) {
            case (false, false):
                return [
                    needs[0] ? matmul(g, b, transposeB: true) : nil, needs[1] ? matmul(a, g, transposeA: true) : nil,
                ]
            case (false, true):
                return [needs[0] ? matmul(g, b) : nil, needs[1] ? matmul(g, a, transposeA: true) : nil]
            case (true, false):
                return [needs[0] ? matmul(b, g, transposeB: true) : nil, needs[1] ? matmul(a, g) : nil]
            case (true, true):
                return [
                    needs[0] ? matmul(b, g, transposeA: true, transposeB: true) : nil,
                    needs[1] ? matmul(g, a, transposeA: true, transposeB: true) : nil,
                ]
            }
        }
    }

    /// `x W^T + b`: a fully connected layer (`x [N, in]`, `weight [out, in]`, `bias [out]`).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let product = matmul(x, weight, transposeB: true)
        return bias.map { product + $0 } ?? product
    }
}
