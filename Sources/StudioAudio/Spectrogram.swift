import Foundation

/// A real time-frequency matrix (magnitude, power, mel or decibels), stored frame by frame.
///
/// Layout: `values[frame * binCount + bin]`. librosa returns the transpose, `[bins, frames]`;
/// `value(bin:frame:)` reads in either convention without copying.
public struct Spectrogram: Sendable, Equatable {
    /// Frequency bins (or mel bands) per frame.
    public let binCount: Int
    /// Frames (time steps).
    public let frameCount: Int
    /// The values, frame-major.
    public var values: [Float]

    /// Wraps frame-major values; `values.count` must equal `binCount * frameCount`.
    public init(binCount: Int, frameCount: Int, values: [Float]) {
        precondition(
            values.count == binCount * frameCount,
            "Spectrogram needs \(binCount) x \(frameCount) values, got \(values.count)")
        self.binCount = binCount
        self.frameCount = frameCount
        self.values = values
    }

    /// A zero-filled spectrogram.
    public init(binCount: Int, frameCount: Int) {
        self.init(
            binCount: binCount, frameCount: frameCount,
            values: [Float](repeating: 0, count: binCount * frameCount))
    }

    /// The value at a bin and frame.
    public func value(bin: Int, frame: Int) -> Float { values[frame * binCount + bin] }

    /// Values in librosa's `[bins, frames]` order (row = bin), as an image would show them.
    public func binMajorValues() -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for frame in 0..<frameCount {
            for bin in 0..<binCount { out[bin * frameCount + frame] = values[frame * binCount + bin] }
        }
        return out
    }

    /// Builds a spectrogram from `[bins, frames]` values (the inverse of `binMajorValues`).
    public init(binMajor: [Float], binCount: Int, frameCount: Int) {
        precondition(binMajor.count == binCount * frameCount, "bin-major values have the wrong count")
        var values = [Float](repeating: 0, count: binMajor.count)
        for bin in 0..<binCount {
            for frame in 0..<frameCount { values[frame * binCount + bin] = binMajor[bin * frameCount + frame] }
        }
        self.init(binCount: binCount, frameCount: frameCount, values: values)
    }
}

/// A complex STFT, stored frame by frame with interleaved real and imaginary parts.
///
/// Layout: `values[2 * (frame * binCount + bin)]` is the real part, `+ 1` the imaginary part.
public struct ComplexSpectrogram: Sendable, Equatable {
    /// Frequency bins per frame, `1 + fftSize / 2`.
    public let binCount: Int
    /// Frames.
    public let frameCount: Int
    /// Interleaved (real, imaginary) pairs, frame-major.
    public var values: [Float]

    /// Wraps interleaved values; `values.count` must equal `2 * binCount * frameCount`.
    public init(binCount: Int, frameCount: Int, values: [Float]) {
        precondition(values.count == 2 * binCount * frameCount, "ComplexSpectrogram has the wrong count")
        self.binCount = binCount
        self.frameCount = frameCount
        self.values = values
    }

    /// The real and imaginary parts at a bin and frame.
    public func value(bin: Int, frame: Int) -> (real: Float, imaginary: Float) {
        let index = 2 * (frame * binCount + bin)
        return (values[index], values[index + 1])
    }

    /// `|X|` (power 1) or `|X|^2` (power 2).
    public func magnitude(power: Float = 1) -> Spectrogram {
        var out = [Float](repeating: 0, count: binCount * frameCount)
        values.withUnsafeBufferPointer { source in
            for index in 0..<out.count {
                let re = source[2 * index]
                let im = source[2 * index + 1]
                let squared = re * re + im * im
                out[index] = power == 2 ? squared : (power == 1 ? squared.squareRoot() : pow(squared, power / 2))
            }
        }
        return Spectrogram(binCount: binCount, frameCount: frameCount, values: out)
    }
}
