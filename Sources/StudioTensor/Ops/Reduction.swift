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
}
