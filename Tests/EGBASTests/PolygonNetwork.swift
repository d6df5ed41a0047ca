import EGBAS
import StudioTensor

/// A one-layer ReLU generator on a 2-D latent space whose units are the lines `b_i + w_i . z = 0`:
/// the region of the origin (every unit positive) is the convex polygon `w_i . z >= -b_i`.
struct PolygonNetwork: LayeredGenerator {
    let weights: [[Float]]
    let biases: [Float]
    let readout: [[Float]]

    /// The square |z1| <= 1, |z2| <= 1, cut by the line z1 + z2 <= 1.5 (a pentagon). Unit 0 barely
    /// reaches the output (readout column (0.01, 0, 0.01)).
    static let pentagon = PolygonNetwork(
        weights: [[-1, 0], [1, 0], [0, -1], [0, 1], [-1, -1]], biases: [1, 1, 1, 1, 1.5],
        readout: [[0.01, 2, 0, 1, 3], [0, 1, 3, 2, 1], [0.01, 0, 1, 1, 2]])

    func contains(_ z: [Float]) -> Bool {
        zip(weights, biases).allSatisfy { w, b in b + w[0] * z[0] + w[1] * z[1] >= 0 }
    }

    var latentFeatures: Int { 2 }
    var layerNames: [String] { ["hidden"] }

    func preActivations(_ z: Tensor, layer: Int) -> Tensor {
        Tensor.linear(
            z, weight: Tensor(shape: [weights.count, 2], scalars: weights.flatMap { $0 }),
            bias: Tensor(shape: [biases.count], scalars: biases))
    }

    func outputs(_ z: Tensor, layer: Int, mask: Tensor?) -> Tensor {
        var hidden = preActivations(z, layer: layer).relu()
        if let mask { hidden = hidden * mask }
        return Tensor.linear(
            hidden, weight: Tensor(shape: [readout.count, weights.count], scalars: readout.flatMap { $0 }), bias: nil)
    }
}
