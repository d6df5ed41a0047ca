import StudioTensor

/// A generative region (the paper's Definition 3): a halfspace indicator `V` in {-1, 0, +1} per
/// unit of one layer; `z` is inside when `V_i f_i(z) >= 0` for every unit with `V_i != 0`.
public struct GenerativeRegion: Sendable, Equatable {
    /// The layer.
    public let layer: Int
    /// The indicator, one entry per unit (row-major over the layer's `[C, H, W]`).
    public let indicator: [Int8]

    /// A region from its indicator.
    public init(layer: Int, indicator: [Int8]) {
        self.layer = layer
        self.indicator = indicator
    }

    /// The region of `preActivation` (one row) restricted to the units in `kept`:
    /// `V_i = kept_i * sign(f_i(z0))` (a unit at exactly 0 counts as positive).
    public init(layer: Int, preActivation: [Float], kept: [Bool]) {
        precondition(preActivation.count == kept.count, "GenerativeRegion: one keep flag per unit")
        self.layer = layer
        indicator = zip(preActivation, kept).map { value, keep in keep ? (value >= 0 ? 1 : -1) : 0 }
    }

    /// Units that bound the region (the size of the supporting boundary set).
    public var boundaryCount: Int { indicator.filter { $0 != 0 }.count }

    /// For each row of `preActivations [N, units...]`, whether it lies inside.
    public func contains(_ preActivations: Tensor) -> [Bool] {
        let rows = preActivations.shape[0]
        let width = preActivations.count / max(rows, 1)
        precondition(width == indicator.count, "GenerativeRegion: \(width) units, indicator has \(indicator.count)")
        let values = preActivations.scalars
        let bounding = indicator.indices.filter { indicator[$0] != 0 }
        return (0..<rows).map { row in
            let base = row * width
            return bounding.allSatisfy { Float(indicator[$0]) * values[base + $0] >= 0 }
        }
    }
}
