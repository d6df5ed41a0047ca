import CBLAS
import Foundation

/// Errors of the evaluation statistics.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    /// Too few samples for a covariance.
    case tooFewSamples(count: Int, needed: Int)
    /// Feature rows of different widths.
    case widthMismatch(Int, Int)
    /// LAPACK's eigensolver did not converge.
    case eigensolverFailed(info: Int)
    /// A listening-test file that cannot be read as expected.
    case badListeningFile(path: String, line: Int, reason: String)
    /// An answer for a clip the key does not hold.
    case unknownClip(clip: String, path: String, line: Int)
    /// A marker detector was given no clean clips to calibrate its threshold on.
    case noCalibrationData
    /// A class without a single example to fit a model on.
    case emptyClass(name: String)
    /// Feature rows holding NaN or infinity.
    case nonFiniteFeatures(rows: Int)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .tooFewSamples(let count, let needed):
            return "\(count) samples are too few for a Frechet distance; use at least \(needed)"
        case .widthMismatch(let a, let b):
            return "feature widths differ: \(a) and \(b)"
        case .eigensolverFailed(let info):
            return "the symmetric eigensolver failed (LAPACK info \(info))"
        case .badListeningFile(let path, let line, let reason):
            return "\(path), line \(line): \(reason)"
        case .unknownClip(let clip, let path, let line):
            return "\(path), line \(line): clip '\(clip)' is not in the answer key; "
                + "were these answers exported from another listening test? Pass that test's key with --key"
        case .noCalibrationData:
            return "the marker detector needs clean real clips to calibrate its threshold on, and got none; "
                + "check that the corpus has clips of the calibration classes"
        case .nonFiniteFeatures(let rows):
            return "\(rows) feature row(s) hold NaN or infinity; a Frechet distance needs finite features "
                + "(drop or repair those samples first)"
        case .emptyClass(let name):
            return "class '\(name)' has no examples to fit the pitch classifier on; "
                + "add training clips of that class to the corpus"
        }
    }
}

/// Gaussian statistics of feature vectors: mean and covariance (divisor n - 1).
public struct GaussianStatistics: Sendable {
    /// Feature width.
    public let width: Int
    /// Mean `[width]` and covariance `[width * width]`, row-major, in double precision.
    public let mean: [Double], covariance: [Double]

    /// Statistics of `count` rows of `width` features stored row-major in `features`.
    public init(features: [Float], width: Int) throws {
        let count = features.count / max(width, 1)
        guard count >= 2 else { throw EvaluationError.tooFewSamples(count: count, needed: 2) }
        let nonFinite = (0..<count).filter { row in
            features[(row * width)..<((row + 1) * width)].contains { !$0.isFinite }
        }.count
        guard nonFinite == 0 else { throw EvaluationError.nonFiniteFeatures(rows: nonFinite) }
        self.width = width
        var mean = [Double](repeating: 0, count: width)
        for row in 0..<count {
            for column in 0..<width { mean[column] += Double(features[row * width + column]) }
        }
        for column in 0..<width { mean[column] /= Double(count) }
        var centered = [Double](repeating: 0, count: count * width)
        for row in 0..<count {
            for column in 0..<width {
                centered[row * width + column] = Double(features[row * width + column]) - mean[column]
            }
        }
        var covariance = [Double](repeating: 0, count: width * width)
        cblas_dgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(width), Int32(width), Int32(count),
            1 / Double(count - 1), centered, Int32(width), centered, Int32(width), 0, &covariance, Int32(width))
        self.mean = mean
        self.covariance = covariance
    }
}

/// The Frechet distance between two Gaussians (Dowson and Landau 1982; the statistic of FID,
/// Heusel et al. 2017): `|mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^1/2 S2 S1^1/2)^1/2)`,
/// computed with symmetric eigendecompositions (LAPACK dsyev), so no complex square roots appear.
public enum FrechetDistance {
    /// The distance between two sets of statistics of the same width.
    public static func distance(_ a: GaussianStatistics, _ b: GaussianStatistics) throws -> Double {
        guard a.width == b.width else { throw EvaluationError.widthMismatch(a.width, b.width) }
        let n = a.width
        var meanTerm = 0.0
        for i in 0..<n { meanTerm += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]) }
        var traces = 0.0
        for i in 0..<n { traces += a.covariance[i * n + i] + b.covariance[i * n + i] }
        // S1^1/2 from S1's eigendecomposition (negative round-off eigenvalues clipped to 0).
        let (values1, vectors1) = try eigen(a.covariance, n)
        let root1 = compose(vectors1, values1.map { max($0, 0).squareRoot() }, n)
        // M = S1^1/2 S2 S1^1/2 is symmetric positive semi-definite; tr(M^1/2) = sum sqrt(eig(M)).
        var temporary = [Double](repeating: 0, count: n * n)
        var middle = [Double](repeating: 0, count: n * n)
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, root1, Int32(n),
            b.covariance, Int32(n), 0, &temporary, Int32(n))
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, temporary, Int32(n), root1,
            Int32(n), 0, &middle, Int32(n))
        for i in 0..<n {
            for j in (i + 1)..<n {
                let average = (middle[i * n + j] + middle[j * n + i]) / 2
                middle[i * n + j] = average
                middle[j * n + i] = average
            }
        }
        let (values2, _) = try eigen(middle, n, vectors: false)
        let crossTrace = values2.reduce(0) { $0 + max($1, 0).squareRoot() }
        return max(meanTerm + traces - 2 * crossTrace, 0)
    }

    /// The distance between two feature sets (rows of `width`).
    public static func distance(_ a: [Float], _ b: [Float], width: Int) throws -> Double {
        try distance(GaussianStatistics(features: a, width: width), GaussianStatistics(features: b, width: width))
    }

    /// Eigenvalues (ascending) and, if asked, eigenvectors (as columns of a row-major matrix).
    static func eigen(_ matrix: [Double], _ n: Int, vectors: Bool = true) throws -> ([Double], [Double]) {
        // LAPACK is column-major; a symmetric matrix is its own transpose.
        var a = matrix
        var values = [Double](repeating: 0, count: n)
        var size = Int32(n)
        var leading = Int32(n)
        var info: Int32 = 0
        var workSize: Int32 = -1
        var query = 0.0
        let job: [CChar] = [vectors ? 86 : 78, 0]  // "V" or "N"
        let upper: [CChar] = [85, 0]  // "U"
        dsyev_(job, upper, &size, &a, &leading, &values, &query, &workSize, &info)
        workSize = Int32(query)
        var work = [Double](repeating: 0, count: Int(workSize))
        dsyev_(job, upper, &size, &a, &leading, &values, &work, &workSize, &info)
        guard info == 0 else { throw EvaluationError.eigensolverFailed(info: Int(info)) }
        // Column-major eigenvectors in `a`: vector k is a[k*n ..< (k+1)*n]; transpose to row-major columns.
        var rowMajor = [Double](repeating: 0, count: vectors ? n * n : 0)
        if vectors {
            for k in 0..<n { for i in 0..<n { rowMajor[i * n + k] = a[k * n + i] } }
        }
        return (values, rowMajor)
    }

    /// `V diag(d) V^T` for row-major `V` whose columns are eigenvectors.
    static func compose(_ vectors: [Double], _ diagonal: [Double], _ n: Int) -> [Double] {
        var scaled = vectors
        for i in 0..<n { for k in 0..<n { scaled[i * n + k] *= diagonal[k] } }
        var result = [Double](repeating: 0, count: n * n)
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(n), 1, scaled, Int32(n), vectors,
            Int32(n), 0, &result, Int32(n))
        return result
    }
}
