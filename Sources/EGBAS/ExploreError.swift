/// Errors of boundary-aware exploration.
public enum ExploreError: Error, CustomStringConvertible, Equatable {
    /// A layer index outside the generator's ReLU layers.
    case unknownLayer(Int, names: [String])
    /// A query latent of the wrong width.
    case queryWidth(got: Int, expected: Int)
    /// A setting outside its range.
    case invalidSetting(name: String, value: String, expected: String)
    /// The optimisation produced a NaN.
    case notFinite(stage: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .unknownLayer(let layer, let names):
            let listed = names.enumerated().map { "\($0.offset)=\($0.element)" }.joined(separator: ", ")
            return "layer \(layer) does not exist; the generator's ReLU layers are \(listed)"
        case .queryWidth(let got, let expected):
            return "the query latent has \(got) values; the generator takes \(expected)"
        case .invalidSetting(let name, let value, let expected):
            return "\(name) = \(value) is invalid; expected \(expected)"
        case .notFinite(let stage):
            return "\(stage) produced a NaN or infinity; lower the learning rate or check the generator checkpoint"
        }
    }
}
