import Foundation

/// Recovers a linear STFT magnitude from a power mel spectrogram by non-negative least squares
/// (librosa: `mel_to_stft`, which uses L-BFGS-B).
///
/// Per frame it solves `min_{x >= 0} ||W x - m||^2` with accelerated projected gradient (FISTA, step
/// `1 / ||W||_2^2`), started from the clipped minimum-norm solution `max(0, W^T (W W^T)^-1 m)`.
/// The magnitude is then `x^(1 / power)`.
public struct MelInversion: Sendable {
    /// The filterbank `W` that made the mel spectrogram.
    public let filterbank: MelFilterbank
    /// Projected-gradient iterations per frame.
    public let iterations: Int
    /// Cholesky factor of `W W^T + ridge * I`, row-major lower triangle, in double precision.
    private let cholesky: [Double]
    /// `1 / ||W||_2^2`, the projected-gradient step.
    private let step: Float

    /// Prepares the solver for a filterbank.
    /// - Parameter iterations: Iterations of projected gradient per frame (default 40).
    public init(filterbank: MelFilterbank, iterations: Int = 40) throws {
        try AudioError.require(iterations >= 0, "iterations", iterations, "must be >= 0")
        self.filterbank = filterbank
        self.iterations = iterations
        let gram = Self.gram(filterbank)
        let bands = filterbank.bandCount
        // A tiny ridge keeps the factorisation defined when some bands are empty.
        let trace = (0..<bands).reduce(0.0) { $0 + gram[$1 * bands + $1] }
        var regularised = gram
        for band in 0..<bands { regularised[band * bands + band] += 1e-9 * trace / Double(bands) + 1e-30 }
        cholesky = Self.choleskyFactor(regularised, size: bands)
        step = Float(1 / Self.largestEigenvalue(gram, size: bands))
    }

    /// The linear magnitude (`power: 1`) whose mel projection best matches `mel` (power `power`).
    ///
    /// Frames are solved 32 at a time, laid out bin-major so every step vectorises across frames.
    public func magnitude(fromMel mel: Spectrogram, power: Float = 2) throws -> Spectrogram {
        let bands = filterbank.bandCount
        try AudioError.require(
            mel.binCount == bands, "mel bands", mel.binCount, "does not match the filterbank's \(bands) bands")
        try AudioError.require(power > 0, "power", power, "must be > 0")
        if let bad = mel.values.firstIndex(where: { !$0.isFinite }) {
            throw AudioError.invalidParameter(
                name: "mel[\(bad)]", value: "\(mel.values[bad])", reason: "must be finite")
        }
        let bins = filterbank.binCount
        let width = MelFilterbank.blockWidth
        var out = Spectrogram(binCount: bins, frameCount: mel.frameCount)
        let target = AlignedBuffer(count: bands * width)
        let residual = AlignedBuffer(count: bands * width)
        let solution = AlignedBuffer(count: bins * width)
        let previous = AlignedBuffer(count: bins * width)
        let extrapolated = AlignedBuffer(count: bins * width)
        let gradient = AlignedBuffer(count: bins * width)
        var dual = [Double](repeating: 0, count: bands)
        let binValues = bins * width
        let step = self.step
        for first in stride(from: 0, to: mel.frameCount, by: width) {
            let count = min(width, mel.frameCount - first)
            // Targets, bin-major; missing frames of the last block are zero and stay zero.
            target.zero()
            for offset in 0..<count {
                for band in 0..<bands {
                    target.pointer[band * width + offset] = max(0, mel.values[(first + offset) * bands + band])
                }
            }
            // Start: the clipped minimum-norm solution W^T (W W^T)^-1 m, frame by frame for the solve.
            residual.zero()
            for offset in 0..<count {
                for band in 0..<bands { dual[band] = Double(target.pointer[band * width + offset]) }
                Self.solveCholesky(cholesky, size: bands, &dual)
                for band in 0..<bands { residual.pointer[band * width + offset] = Float(dual[band]) }
            }
            solution.zero()
            filterbank.projectTransposedBlock(bands: residual.pointer, adding: solution.pointer)
            let x = solution.pointer
            for index in 0..<binValues { x[index] = max(x[index], 0) }
            previous.pointer.update(from: x, count: binValues)
            // FISTA: extrapolate, take a gradient step on 1/2 ||W y - m||^2, project onto x >= 0.
            var momentum: Float = 1
            for _ in 0..<iterations {
                let nextMomentum = (1 + (1 + 4 * momentum * momentum).squareRoot()) / 2
                let weight = (momentum - 1) / nextMomentum
                momentum = nextMomentum
                let y = extrapolated.pointer
                let last = previous.pointer
                for index in 0..<binValues { y[index] = x[index] + weight * (x[index] - last[index]) }
                filterbank.projectBlock(power: y, into: residual.pointer)
                let r = residual.pointer
                let m = target.pointer
                for index in 0..<(bands * width) { r[index] -= m[index] }
                gradient.zero()
                filterbank.projectTransposedBlock(bands: r, adding: gradient.pointer)
                last.update(from: x, count: binValues)
                let g = gradient.pointer
                for index in 0..<binValues { x[index] = max(0, y[index] - step * g[index]) }
            }
            let exponent = 1 / power
            for offset in 0..<count {
                for bin in 0..<bins {
                    let value = x[bin * width + offset]
                    out.values[(first + offset) * bins + bin] =
                        exponent == 0.5 ? value.squareRoot() : pow(value, exponent)
                }
            }
        }
        return out
    }

    /// `W W^T` in double precision.
    private static func gram(_ filterbank: MelFilterbank) -> [Double] {
        let dense = filterbank.denseMatrix()
        let bands = filterbank.bandCount
        let bins = filterbank.binCount
        var gram = [Double](repeating: 0, count: bands * bands)
        for row in 0..<bands {
            for column in 0...row {
                var sum: Double = 0
                for bin in 0..<bins { sum += Double(dense[row * bins + bin]) * Double(dense[column * bins + bin]) }
                gram[row * bands + column] = sum
                gram[column * bands + row] = sum
            }
        }
        return gram
    }

    private static func choleskyFactor(_ matrix: [Double], size: Int) -> [Double] {
        var lower = [Double](repeating: 0, count: size * size)
        for row in 0..<size {
            for column in 0...row {
                var sum = matrix[row * size + column]
                for k in 0..<column { sum -= lower[row * size + k] * lower[column * size + k] }
                if row == column {
                    lower[row * size + row] = max(sum, 1e-300).squareRoot()
                } else {
                    lower[row * size + column] = sum / lower[column * size + column]
                }
            }
        }
        return lower
    }

    /// Solves `L L^T x = b` in place.
    private static func solveCholesky(_ lower: [Double], size: Int, _ vector: inout [Double]) {
        for row in 0..<size {
            var sum = vector[row]
            for k in 0..<row { sum -= lower[row * size + k] * vector[k] }
            vector[row] = sum / lower[row * size + row]
        }
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = vector[row]
            for k in (row + 1)..<size { sum -= lower[k * size + row] * vector[k] }
            vector[row] = sum / lower[row * size + row]
        }
    }

    /// Power iteration for the largest eigenvalue of a symmetric positive semi-definite matrix.
    private static func largestEigenvalue(_ matrix: [Double], size: Int) -> Double {
        var vector = [Double](repeating: 1 / Double(size).squareRoot(), count: size)
        var eigenvalue = 0.0
        for _ in 0..<200 {
            var next = [Double](repeating: 0, count: size)
            for row in 0..<size {
                var sum = 0.0
                for column in 0..<size { sum += matrix[row * size + column] * vector[column] }
                next[row] = sum
            }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return 1 }
            eigenvalue = norm
            vector = next.map { $0 / norm }
        }
        return eigenvalue
    }
}
