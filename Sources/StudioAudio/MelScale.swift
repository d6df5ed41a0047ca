import Foundation

/// The two mel scales librosa implements.
public enum MelScale: String, Sendable, CaseIterable {
    /// Slaney's Auditory Toolbox scale: linear below 1 kHz, logarithmic above (librosa's default).
    case slaney
    /// The HTK formula `2595 * log10(1 + f / 700)`.
    case htk

    private static let slaneyHzPerMel = 200.0 / 3
    private static let slaneyBreakHz = 1000.0
    private static let slaneyBreakMel = slaneyBreakHz / slaneyHzPerMel
    private static let slaneyLogStep = log(6.4) / 27

    /// Hertz to mels (librosa: `hz_to_mel`).
    public func mel(fromHz hertz: Double) -> Double {
        switch self {
        case .htk:
            return 2595 * log10(1 + hertz / 700)
        case .slaney:
            if hertz < Self.slaneyBreakHz { return hertz / Self.slaneyHzPerMel }
            return Self.slaneyBreakMel + log(hertz / Self.slaneyBreakHz) / Self.slaneyLogStep
        }
    }

    /// Mels to hertz (librosa: `mel_to_hz`).
    public func hz(fromMel mel: Double) -> Double {
        switch self {
        case .htk:
            return 700 * (pow(10, mel / 2595) - 1)
        case .slaney:
            if mel < Self.slaneyBreakMel { return mel * Self.slaneyHzPerMel }
            return Self.slaneyBreakHz * exp(Self.slaneyLogStep * (mel - Self.slaneyBreakMel))
        }
    }

    /// `count` frequencies evenly spaced in mels from `minHz` to `maxHz` (librosa: `mel_frequencies`).
    public func frequencies(count: Int, minHz: Double, maxHz: Double) -> [Double] {
        let low = mel(fromHz: minHz)
        let high = mel(fromHz: maxHz)
        guard count > 1 else { return count == 1 ? [hz(fromMel: low)] : [] }
        return (0..<count).map { hz(fromMel: low + (high - low) * Double($0) / Double(count - 1)) }
    }
}
