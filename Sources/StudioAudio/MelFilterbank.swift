import Foundation

/// How each mel filter is scaled.
public enum MelNormalization: String, Sendable, CaseIterable {
    /// Divide each triangle by its width in Hz so that filters have constant energy (librosa: `"slaney"`).
    case slaney
    /// Leave the triangles at peak 1 (librosa: `None`).
    case none
}

/// Parameters of a mel filterbank, with librosa's names and defaults (`librosa.filters.mel`).
public struct MelConfiguration: Sendable, Equatable {
    /// Sample rate in Hz (librosa: `sr`).
    public let sampleRate: Int
    /// FFT length (librosa: `n_fft`).
    public let fftSize: Int
    /// Number of mel bands (librosa: `n_mels`, default 128).
    public let melBandCount: Int
    /// Lowest frequency in Hz (librosa: `fmin`, default 0).
    public let minFrequency: Double
    /// Highest frequency in Hz (librosa: `fmax`, default `sampleRate / 2`).
    public let maxFrequency: Double
    /// Mel scale (librosa: `htk=False` is `.slaney`).
    public let scale: MelScale
    /// Filter normalisation (librosa: `norm="slaney"`).
    public let normalization: MelNormalization

    /// Validates a configuration.
    /// - Throws: `AudioError.invalidParameter` naming the offending value.
    public init(
        sampleRate: Int, fftSize: Int, melBandCount: Int = 128, minFrequency: Double = 0,
        maxFrequency: Double? = nil, scale: MelScale = .slaney, normalization: MelNormalization = .slaney
    ) throws {
        try AudioError.require(sampleRate > 0, "sampleRate", sampleRate, "must be > 0")
        try AudioError.require(
            (2...65_536).contains(fftSize), "fftSize", fftSize, "must be between 2 and 65536 (4 s at 16 kHz)")
        try AudioError.require(melBandCount > 0, "melBandCount", melBandCount, "must be > 0")
        let nyquist = Double(sampleRate) / 2
        let top = maxFrequency ?? nyquist
        try AudioError.require(minFrequency >= 0, "minFrequency", minFrequency, "must be >= 0")
        try AudioError.require(
            top > minFrequency && top <= nyquist, "maxFrequency", top,
            "must lie above minFrequency \(minFrequency) and at most at Nyquist \(nyquist) Hz")
        self.sampleRate = sampleRate
        self.fftSize = fftSize
        self.melBandCount = melBandCount
        self.minFrequency = minFrequency
        self.maxFrequency = top
        self.scale = scale
        self.normalization = normalization
    }

    /// The `melBandCount + 2` band edges in Hz; band `m` rises from edge `m`, peaks at `m + 1`
    /// and falls to `m + 2`.
    public var bandEdges: [Double] {
        scale.frequencies(count: melBandCount + 2, minHz: minFrequency, maxHz: maxFrequency)
    }

    /// The centre frequency of each band in Hz.
    public var centerFrequencies: [Double] { Array(bandEdges.dropFirst().dropLast()) }

    /// The bands whose triangles contain `frequency` (one or two neighbours; nil outside the scale).
    public func bands(covering frequency: Double) -> Range<Int>? {
        let edges = bandEdges
        let covering = (0..<melBandCount).filter { edges[$0] < frequency && frequency < edges[$0 + 2] }
        guard let first = covering.first, let last = covering.last else { return nil }
        return first..<(last + 1)
    }

    /// The bands whose centres lie in `low`...`high` Hz (nil when none does).
    public func bands(centredFrom low: Double, to high: Double) -> Range<Int>? {
        let centres = centerFrequencies
        let inside = centres.indices.filter { centres[$0] >= low && centres[$0] <= high }
        guard let first = inside.first, let last = inside.last else { return nil }
        return first..<(last + 1)
    }
}

/// A triangular mel filterbank, equal to `librosa.filters.mel`, stored sparsely.
///
/// Each band keeps only its non-zero run of FFT bins, so projecting a 513-bin frame onto 64 bands
/// costs about 1,000 multiply-adds instead of 33,000.
public struct MelFilterbank: Sendable {
    /// The parameters.
    public let configuration: MelConfiguration
    /// First FFT bin of each band's non-zero run.
    let firstBin: [Int]
    /// The non-zero weights of each band, concatenated.
    let weights: [Float]
    /// Offset of each band's weights in `weights` (`melBandCount + 1` entries).
    let weightOffset: [Int]

    /// Builds the filterbank (in double precision, stored as float, as librosa does).
    public init(_ configuration: MelConfiguration) {
        self.configuration = configuration
        let bins = configuration.fftSize / 2 + 1
        let dense = Self.denseWeights(configuration)
        var firstBin = [Int]()
        var weights = [Float]()
        var weightOffset = [0]
        for band in 0..<configuration.melBandCount {
            let row = dense[(band * bins)..<((band + 1) * bins)]
            let nonZero = row.indices.filter { row[$0] != 0 }
            let first = (nonZero.first ?? band * bins) - band * bins
            let last = (nonZero.last ?? band * bins) - band * bins
            firstBin.append(first)
            weights.append(contentsOf: nonZero.isEmpty ? [] : Array(row[(band * bins + first)...(band * bins + last)]))
            weightOffset.append(weights.count)
        }
        self.firstBin = firstBin
        self.weights = weights
        self.weightOffset = weightOffset
    }

    /// Number of bands.
    public var bandCount: Int { configuration.melBandCount }
    /// Number of FFT bins each band reads.
    public var binCount: Int { configuration.fftSize / 2 + 1 }

    /// Bands that received no FFT bin at all (too many bands for the FFT size); librosa warns about these.
    public var emptyBands: [Int] {
        (0..<bandCount).filter { band in
            weights[weightOffset[band]..<weightOffset[band + 1]].allSatisfy { $0 == 0 }
        }
    }

    /// The full `[bands, bins]` weight matrix, as `librosa.filters.mel` returns it.
    public func denseMatrix() -> [Float] {
        let bins = binCount
        var out = [Float](repeating: 0, count: bandCount * bins)
        for band in 0..<bandCount {
            for (offset, weight) in weights[weightOffset[band]..<weightOffset[band + 1]].enumerated() {
                out[band * bins + firstBin[band] + offset] = weight
            }
        }
        return out
    }

    /// Projects a spectrogram of `binCount` bins onto the mel bands.
    public func apply(_ spectrogram: Spectrogram) throws -> Spectrogram {
        try AudioError.require(
            spectrogram.binCount == binCount, "binCount", spectrogram.binCount,
            "does not match the filterbank's \(binCount) FFT bins")
        var out = Spectrogram(binCount: bandCount, frameCount: spectrogram.frameCount)
        spectrogram.values.withUnsafeBufferPointer { source in
            out.values.withUnsafeMutableBufferPointer { destination in
                for frame in 0..<spectrogram.frameCount {
                    project(
                        frame: source.baseAddress! + frame * binCount,
                        into: destination.baseAddress! + frame * bandCount)
                }
            }
        }
        return out
    }

    /// Mel bands of one frame: `destination[m] = sum_k W[m, k] * frame[k]`.
    @inline(__always)
    func project(frame: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { weights in
            for band in 0..<bandCount {
                let start = weightOffset[band]
                let count = weightOffset[band + 1] - start
                let bins = frame + firstBin[band]
                var sum: Float = 0
                for index in 0..<count { sum += weights[start + index] * bins[index] }
                destination[band] = sum
            }
        }
    }

    /// Frames projected together by `projectBlock`.
    static let blockWidth = 32

    /// Mel bands of 32 frames at once, vectorised across frames:
    /// `destination[m * 32 + f] = sum_k W[m, k] * power[k * 32 + f]`.
    ///
    /// Laid out bin-major, each weight multiplies a contiguous run of 32 frames, so the inner loop is
    /// SIMD arithmetic with no dependency between lanes (a per-frame dot product cannot vectorise:
    /// float addition order is fixed).
    func projectBlock(power: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
        let stride = Self.blockWidth * MemoryLayout<Float>.stride
        let rows = UnsafeRawPointer(power)
        weights.withUnsafeBufferPointer { weights in
            firstBin.withUnsafeBufferPointer { firstBin in
                weightOffset.withUnsafeBufferPointer { weightOffset in
                    for band in 0..<bandCount {
                        var low = SIMD16<Float>(repeating: 0)
                        var high = SIMD16<Float>(repeating: 0)
                        var row = rows + firstBin[band] * stride
                        for index in weightOffset[band]..<weightOffset[band + 1] {
                            let weight = weights[index]
                            low += weight * row.loadUnaligned(as: SIMD16<Float>.self)
                            high += weight * row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                            row += stride
                        }
                        let out = UnsafeMutableRawPointer(destination + band * Self.blockWidth)
                        out.storeBytes(of: low, as: SIMD16<Float>.self)
                        out.storeBytes(of: high, toByteOffset: 64, as: SIMD16<Float>.self)
                    }
                }
            }
        }
    }

    /// Adds `W^T * bands` for 32 frames at once (the transpose of `projectBlock`):
    /// `power[k * 32 + f] += sum_m W[m, k] * bands[m * 32 + f]`.
    func projectTransposedBlock(bands: UnsafePointer<Float>, adding power: UnsafeMutablePointer<Float>) {
        let stride = Self.blockWidth * MemoryLayout<Float>.stride
        let rows = UnsafeMutableRawPointer(power)
        let sources = UnsafeRawPointer(bands)
        weights.withUnsafeBufferPointer { weights in
            firstBin.withUnsafeBufferPointer { firstBin in
                weightOffset.withUnsafeBufferPointer { weightOffset in
                    for band in 0..<bandCount {
                        let source = sources + band * stride
                        let low = source.loadUnaligned(as: SIMD16<Float>.self)
                        let high = source.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                        var row = rows + firstBin[band] * stride
                        for index in weightOffset[band]..<weightOffset[band + 1] {
                            let weight = weights[index]
                            row.storeBytes(
                                of: row.loadUnaligned(as: SIMD16<Float>.self) + weight * low, as: SIMD16<Float>.self)
                            row.storeBytes(
                                of: row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self) + weight * high,
                                toByteOffset: 64, as: SIMD16<Float>.self)
                            row += stride
                        }
                    }
                }
            }
        }
    }

    /// Adds `W^T * bands` to `frame` (the transpose of `project`).
    @inline(__always)
    func projectTransposed(bands: UnsafePointer<Float>, adding frame: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { weights in
            for band in 0..<bandCount {
                let start = weightOffset[band]
                let count = weightOffset[band + 1] - start
                let bins = frame + firstBin[band]
                let value = bands[band]
                for index in 0..<count { bins[index] += weights[start + index] * value }
            }
        }
    }

    /// librosa's construction: triangles between mel-spaced edges over the FFT bin frequencies.
    private static func denseWeights(_ configuration: MelConfiguration) -> [Float] {
        let bins = configuration.fftSize / 2 + 1
        let bands = configuration.melBandCount
        let fftFrequencies = (0..<bins).map {
            Double($0) * Double(configuration.sampleRate) / Double(configuration.fftSize)
        }
        let edges = configuration.bandEdges
        var out = [Float](repeating: 0, count: bands * bins)
        for band in 0..<bands {
            let lowerWidth = edges[band + 1] - edges[band]
            let upperWidth = edges[band + 2] - edges[band + 1]
            let norm = configuration.normalization == .slaney ? 2 / (edges[band + 2] - edges[band]) : 1
            for bin in 0..<bins {
                let lower = (fftFrequencies[bin] - edges[band]) / lowerWidth
                let upper = (edges[band + 2] - fftFrequencies[bin]) / upperWidth
                out[band * bins + bin] = Float(max(0, min(lower, upper)) * norm)
            }
        }
        return out
    }
}
