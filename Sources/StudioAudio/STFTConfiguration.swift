import Foundation

/// How signals are padded at the edges when `center` is on (librosa: `pad_mode`).
public enum PadMode: String, Sendable, CaseIterable {
    /// Zeros (librosa's default since 0.10).
    case constant
    /// Mirror the signal without repeating the edge sample (numpy: `reflect`).
    case reflect
}

/// Parameters of a short-time Fourier transform, with librosa's names, defaults and conventions.
///
/// - Note: librosa: `stft(n_fft=2048, hop_length=None -> win_length // 4, win_length=None -> n_fft,
///   window="hann", center=True, pad_mode="constant")`. The window is a periodic Hann window of
///   `windowLength` samples, zero-padded on both sides to `fftSize`.
public struct STFTConfiguration: Sendable, Equatable {
    /// FFT length in samples (librosa: `n_fft`); 1024 samples is 64 ms at 16 kHz.
    public let fftSize: Int
    /// Samples between frame starts (librosa: `hop_length`).
    public let hopLength: Int
    /// Samples under the window (librosa: `win_length`), at most `fftSize`.
    public let windowLength: Int
    /// Pads `fftSize / 2` samples on each side so that frame `t` is centred on sample `t * hopLength`.
    public let center: Bool
    /// Padding used when `center` is on.
    public let padMode: PadMode

    /// Validates and completes a configuration.
    /// - Throws: `AudioError.invalidParameter` naming the offending value.
    public init(
        fftSize: Int = 2048, hopLength: Int? = nil, windowLength: Int? = nil, center: Bool = true,
        padMode: PadMode = .constant
    ) throws {
        try AudioError.require(
            (2...65_536).contains(fftSize), "fftSize", fftSize, "must be between 2 and 65536 (4 s at 16 kHz)")
        let window = windowLength ?? fftSize
        try AudioError.require(
            window > 0 && window <= fftSize, "windowLength", window, "must be in 1...fftSize (\(fftSize))")
        let hop = hopLength ?? max(window / 4, 1)
        try AudioError.require(hop > 0, "hopLength", hop, "must be a positive integer")
        self.fftSize = fftSize
        self.hopLength = hop
        self.windowLength = window
        self.center = center
        self.padMode = padMode
    }

    /// Number of non-negative frequency bins, `1 + fftSize / 2`.
    public var binCount: Int { fftSize / 2 + 1 }

    /// Number of frames for a signal of `length` samples (0 when it is too short without centring).
    public func frameCount(forLength length: Int) -> Int {
        if center { return 1 + length / hopLength }
        return length < fftSize ? 0 : 1 + (length - fftSize) / hopLength
    }

    /// The analysis window: periodic Hann of `windowLength`, centred in `fftSize` zeros.
    public func window() -> [Float] {
        var window = [Float](repeating: 0, count: fftSize)
        let offset = (fftSize - windowLength) / 2
        for index in 0..<windowLength {
            let phase = 2 * Double.pi * Double(index) / Double(windowLength)
            window[offset + index] = Float(0.5 - 0.5 * cos(phase))
        }
        return window
    }
}
