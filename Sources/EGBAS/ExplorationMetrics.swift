import StudioTensor

/// The E-GBAS paper's two measures of how alike a sample set is (Tables 1 and 2).
public enum ExplorationMetrics {
    /// Equation (3): the standard deviation of generated outputs `[N, ...]` over the set, as the
    /// square root of the per-element variance averaged over elements (divisor N).
    public static func outputStandardDeviation(_ outputs: Tensor) -> Float {
        let rows = outputs.shape[0]
        guard rows > 0 else { return 0 }
        let width = outputs.count / rows
        let values = outputs.scalars
        var total: Double = 0
        for column in 0..<width {
            var mean: Double = 0
            for row in 0..<rows { mean += Double(values[row * width + column]) }
            mean /= Double(rows)
            var variance: Double = 0
            for row in 0..<rows {
                let delta = Double(values[row * width + column]) - mean
                variance += delta * delta
            }
            total += variance / Double(rows)
        }
        return Float((total / Double(width)).squareRoot())
    }

    /// Equation (2): per discriminator layer, the mean cosine similarity between each sample's
    /// layer features and the query's. `layers` maps images to one feature tensor per layer.
    public static func featureSimilarity(
        samples: Tensor, query: Tensor, layers: (Tensor) -> [Tensor]
    ) -> [Float] {
        let sampleFeatures = layers(samples)
        let queryFeatures = layers(query)
        return zip(sampleFeatures, queryFeatures).map { features, reference in
            let rows = features.shape[0]
            let width = features.count / max(rows, 1)
            let values = features.scalars
            let anchor = reference.scalars
            let anchorNorm = anchor.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            var sum: Float = 0
            for row in 0..<rows {
                var dot: Float = 0
                var norm: Float = 0
                for column in 0..<width {
                    let value = values[row * width + column]
                    dot += value * anchor[column]
                    norm += value * value
                }
                sum += dot / max(norm.squareRoot() * anchorNorm, 1e-12)
            }
            return sum / Float(max(rows, 1))
        }
    }
}
