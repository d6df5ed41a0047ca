// Reshaping, transposing, slicing, padding, concatenation and gathering.

extension Tensor {
    /// The same elements with a new shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(
            newShape.reduce(1, *) == count,
            "reshaped: \(shape) has \(count) elements, \(newShape) needs \(newShape.reduce(1, *))")
        let value = Tensor(shape: newShape, storage: storage)
        let source = shape
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.reshaped(source)] }
    }

    /// Flattens everything after the first axis: `[N, ...] -> [N, rest]`.
    public func flattenedBatch() -> Tensor { reshaped([shape[0], count / max(shape[0], 1)]) }

    /// Reorders the axes: output axis `i` is input axis `permutation[i]`.
    public func permuted(_ permutation: [Int]) -> Tensor {
        precondition(
            permutation.sorted() == Array(0..<rank), "permuted: \(permutation) is not a permutation of \(rank) axes")
        let outShape = permutation.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            inStrides[axis] = inStrides[axis + 1] * shape[axis + 1]
        }
        let strides = permutation.map { inStrides[$0] }
        let value = makeTensor(outShape) { out in
            withPointer { input in
                var index = [Int](repeating: 0, count: rank)
                for position in 0..<count {
                    var offset = 0
                    for axis in 0..<rank { offset += index[axis] * strides[axis] }
                    out[position] = input[offset]
                    advanceOdometer(&index, shape: outShape, lastAxis: rank - 1)
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in permutation.enumerated() { inverse[axis] = position }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.permuted(inverse)] }
    }

    /// The transpose of a matrix.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got \(shape)")
        return permuted([1, 0])
    }

    /// Elements `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) outside axis \(axis) of \(shape)")
        var outShape = shape
        outShape[axis] = range.count
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let value = makeTensor(outShape) { out in
            withPointer { input in
                for block in 0..<outer {
                    (out + block * range.count * inner).update(
                        from: input + (block * shape[axis] + range.lowerBound) * inner, count: range.count * inner)
                }
            }
        }
        let length = shape[axis]
        return Tape.record(value, inputs: [self]) { g, _, _ in
            [g.padded(axis: axis, before: range.lowerBound, after: length - range.upperBound)]
        }
    }

    /// Zero padding along `axis`.
    public func padded(axis: Int, before: Int, after: Int) -> Tensor {
        var outShape = shape
        outShape[axis] += before + after
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let value = makeTensor(outShape) { out in
            out.update(repeating: 0, count: outShape.reduce(1, *))
            withPointer { input in
                for block in 0..<outer {
                    (out + (block * outShape[axis] + before) * inner).update(
                        from: input + block * shape[axis] * inner, count: shape[axis] * inner)
                }
            }
        }
        let length = shape[axis]
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.slice(axis: axis, before..<(before + length))] }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
        var result: Tensor?
        var offset = 0
        let total = tensors.reduce(0) { $0 + $1.shape[axis] }
        for tensor in tensors {
            var shape = tensor.shape
            shape[axis] = total
            let placed = tensor.padded(axis: axis, before: offset, after: total - offset - tensor.shape[axis])
            offset += tensor.shape[axis]
            result = result.map { $0 + placed } ?? placed
        }
        return result!
    }

    /// Each sample of `[N, ...]` rotated along the last axis by its own shift: element `w` of
    /// sample `n` moves to `(w + shifts[n]) mod W` (`torch.roll` per sample). The gradient is the
    /// opposite rotation, so it can be differentiated again.
    public func rolledAlongLastAxis(shifts: [Int]) -> Tensor {
        precondition(rank >= 2 && shifts.count == shape[0], "rolledAlongLastAxis: \(shifts.count) shifts for \(shape)")
        let width = shape[rank - 1]
        let rowsPerSample = shape[1..<(rank - 1)].reduce(1, *)
        let normalised = shifts.map { (($0 % width) + width) % width }
        let value = makeTensor(shape) { out in
            withPointer { input in
                for (sample, shift) in normalised.enumerated() {
                    for row in 0..<rowsPerSample {
                        let base = (sample * rowsPerSample + row) * width
                        // [0, W - shift) moves to [shift, W); [W - shift, W) wraps to [0, shift).
                        (out + base + shift).update(from: input + base, count: width - shift)
                        (out + base).update(from: input + base + width - shift, count: shift)
                    }
                }
            }
        }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.rolledAlongLastAxis(shifts: shifts.map { -$0 })] }
    }

    /// Rows of a matrix picked by index: `out[i] = self[indices[i]]` (embedding lookup).
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank == 2, "gatherRows needs a matrix, got \(shape)")
        let width = shape[1]
        for index in indices {
            precondition(index >= 0 && index < shape[0], "gatherRows: index \(index) outside \(shape[0]) rows")
        }
        let value = makeTensor([indices.count, width]) { out in
            withPointer { input in
                for (row, index) in indices.enumerated() {
                    (out + row * width).update(from: input + index * width, count: width)
                }
            }
        }
        let rows = shape[0]
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.scatterAddRows(indices, rowCount: rows)] }
    }

    /// Adds row `i` of this matrix into row `indices[i]` of a zero matrix with `rowCount` rows
    /// (the transpose of `gatherRows`).
    public func scatterAddRows(_ indices: [Int], rowCount: Int) -> Tensor {
        precondition(
            rank == 2 && shape[0] == indices.count, "scatterAddRows: \(shape) does not match \(indices.count) indices")
        let width = shape[1]
        let value = makeTensor([rowCount, width]) { out in
            out.update(repeating: 0, count: rowCount * width)
            withPointer { input in
                for (row, index) in indices.enumerated() {
                    let target = out + index * width
                    let source = input + row * width
                    for column in 0..<width { target[column] += source[column] }
                }
            }
        }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.gatherRows(indices)] }
    }
}
