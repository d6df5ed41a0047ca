// Sums and means.

extension Tensor {
    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        let value = Tensor(Float(withPointer { sumDouble($0, count: count) }))
        let source = shape
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.reshaped([]).broadcast(to: source)] }
    }

    /// The mean of all elements.
    public func mean() -> Tensor { sum() * (1 / Float(max(count, 1))) }

    /// Sums along `axes`, keeping them as size-1 dimensions.
    public func sum(alongAxes axes: [Int]) -> Tensor {
        var target = shape
        for axis in axes { target[axis] = 1 }
        return sum(toShape: target)
    }

    /// Means along `axes`, keeping them as size-1 dimensions.
    public func mean(alongAxes axes: [Int]) -> Tensor {
        let size = axes.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes) * (1 / Float(max(size, 1)))
    }

    /// The index of the largest value of each row of a `[rows, columns]` tensor (the first on ties);
    /// for logits, the predicted class of each example.
    public func argmaxRows() -> [Int] {
        precondition(shape.count == 2, "argmaxRows needs a [rows, columns] tensor, not \(shape)")
        let columns = shape[1]
        let values = scalars
        return (0..<shape[0]).map { row in
            let slice = values[(row * columns)..<((row + 1) * columns)]
            return slice.indices.max { slice[$0] < slice[$1] }! - row * columns
        }
    }
}
