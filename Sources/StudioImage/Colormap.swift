/// Perceptually uniform colormaps for spectrograms and heat maps.
public enum Colormap: String, Sendable, CaseIterable {
    /// Black through purple and orange to pale yellow (matplotlib `magma`): the default for spectrograms.
    case magma
    /// Dark blue through green to yellow (matplotlib `viridis`).
    case viridis
    /// Black to white.
    case gray

    /// The colour for `value` in [0, 1] (values outside are clamped; NaN maps to 0).
    public func color(_ value: Float) -> RGB {
        let clamped = value.isNaN ? 0 : min(1, max(0, value))
        let level = Int((clamped * 255).rounded())
        let packed: UInt32
        switch self {
        case .magma: packed = Self.magmaTable[level]
        case .viridis: packed = Self.viridisTable[level]
        case .gray: return RGB(UInt8(level), UInt8(level), UInt8(level))
        }
        return RGB(UInt8(packed >> 16), UInt8((packed >> 8) & 0xFF), UInt8(packed & 0xFF))
    }
}
