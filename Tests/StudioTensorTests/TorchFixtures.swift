import Foundation
import Testing

@testable import StudioTensor

/// Known answers from `Corpora/scripts/make_torch_refs.py` (PyTorch 2.13 CPU).
enum TorchFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func load(_ name: String) throws -> [String: Any] {
        let url = root.appendingPathComponent("Corpora/reference/torch/\(name)")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }
}

extension Dictionary where Key == String, Value == Any {
    func floats(_ key: String) throws -> [Float] { try #require(self[key] as? [Double], "no \(key)").map { Float($0) } }
    func ints(_ key: String) throws -> [Int] { try #require(self[key] as? [Int], "no \(key)") }
    func tensor(_ key: String, shape: [Int]) throws -> Tensor { Tensor(shape: shape, scalars: try floats(key)) }
}
