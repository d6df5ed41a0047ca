// Log-softmax, cross-entropy and the GAN losses, composed from differentiable primitives.

extension Tensor {
    /// Log-softmax along the last axis of `[N, C]`, shifted by the row maximum for stability.
    public func logSoftmax() -> Tensor {
        precondition(rank == 2, "logSoftmax needs [N, C], got \(shape)")
        let (rows, columns) = (shape[0], shape[1])
        // The shift is a constant (the result does not depend on it), so no gradient flows into it.
        let maxima = makeTensor([rows, 1]) { out in
            withPointer { input in
                for row in 0..<rows {
                    out[row] = (0..<columns).reduce(-Float.infinity) { max($0, input[row * columns + $1]) }
                }
            }
        }
        let shifted = self - maxima
        return shifted - shifted.exp().sum(alongAxes: [1]).log()
    }

    /// Mean cross-entropy of logits `[N, C]` against integer labels (PyTorch `cross_entropy`).
    public static func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
        precondition(
            logits.rank == 2 && logits.shape[0] == labels.count,
            "crossEntropy: \(logits.shape) logits for \(labels.count) labels")
        let classes = logits.shape[1]
        var oneHot = [Float](repeating: 0, count: labels.count * classes)
        for (row, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "crossEntropy: label \(label) outside 0..<\(classes)")
            oneHot[row * classes + label] = 1
        }
        let picked = logits.logSoftmax() * Tensor(shape: logits.shape, scalars: oneHot)
        return -picked.sum() / Float(labels.count)
    }

    /// Cross-entropy of logits `[N, C]` against integer labels with a weight per row:
    /// `sum_i weights[i] * CE_i / N` (PyTorch `cross_entropy(reduction="none")`, weighted, over N).
    public static func crossEntropy(logits: Tensor, labels: [Int], rowWeights: [Float]) -> Tensor {
        precondition(
            logits.rank == 2 && logits.shape[0] == labels.count && rowWeights.count == labels.count,
            "crossEntropy: \(logits.shape) logits for \(labels.count) labels and \(rowWeights.count) weights")
        let classes = logits.shape[1]
        var weightedOneHot = [Float](repeating: 0, count: labels.count * classes)
        for (row, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "crossEntropy: label \(label) outside 0..<\(classes)")
            weightedOneHot[row * classes + label] = rowWeights[row]
        }
        let picked = logits.logSoftmax() * Tensor(shape: logits.shape, scalars: weightedOneHot)
        return -picked.sum() / Float(labels.count)
    }
}
