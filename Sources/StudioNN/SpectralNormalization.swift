import StudioSupport
import StudioTensor

/// Divides a weight by its largest singular value, estimated by power iteration (torch:
/// `parametrizations.spectral_norm`, one iteration per training forward pass).
///
/// The weight is viewed as a matrix `[rows, rest]`. The vectors `u` and `v` are buffers updated
/// without gradient; `sigma = u^T W v` is differentiated with respect to `W`.
///
/// ### References
/// - T. Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018.
public final class SpectralNormalization: @unchecked Sendable {
    /// Left singular vector estimate, `[rows]`.
    public let u: Buffer
    /// Right singular vector estimate, `[rest]`.
    public let v: Buffer
    /// Numerical floor for normalising the vectors (torch: `eps=1e-12`).
    public let epsilon: Float = 1e-12

    /// Starts from random unit vectors refined by 15 power iterations on the initial `weight`, as
    /// torch does at registration. All state lives in the `u` and `v` buffers, so a module loaded
    /// from a checkpoint continues exactly.
    init(weight: Tensor, using generator: inout SplitMix64) {
        let rows = weight.shape[0]
        let rest = weight.count / rows
        u = Buffer(Self.normalized(Tensor.randomNormal([rows], using: &generator), epsilon: 1e-12))
        v = Buffer(Self.normalized(Tensor.randomNormal([rest], using: &generator), epsilon: 1e-12))
        for _ in 0..<15 { powerIteration(weight.reshaped([rows, rest]).detached) }
    }

    private func powerIteration(_ matrix: Tensor) {
        v.value = Self.normalized(
            Tensor.matmul(matrix, u.value.reshaped([matrix.shape[0], 1]), transposeA: true).reshaped([matrix.shape[1]]),
            epsilon: epsilon)
        u.value = Self.normalized(
            Tensor.matmul(matrix, v.value.reshaped([matrix.shape[1], 1])).reshaped([matrix.shape[0]]), epsilon: epsilon)
    }

    var buffers: [(String, Buffer)] { [("u", u), ("v", v)] }

    /// `weight / sigma`. In training mode, first advances the power iteration by one step.
    func normalize(_ weight: Tensor, training: Bool) -> Tensor {
        let matrix = weight.reshaped([weight.shape[0], weight.count / weight.shape[0]])
        if training { powerIteration(matrix.detached) }
        let left = u.value.reshaped([1, u.value.count])
        let right = v.value.reshaped([v.value.count, 1])
        let sigma = Tensor.matmul(Tensor.matmul(left, matrix), right).reshaped([])
        return weight / sigma
    }

    private static func normalized(_ vector: Tensor, epsilon: Float) -> Tensor {
        let norm = max(vector.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot(), epsilon)
        return (vector / norm).detached
    }
}
