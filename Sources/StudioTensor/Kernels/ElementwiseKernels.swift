// Elementwise kernels over raw buffers: no tensors, no tape. Broadcasting follows numpy: shapes are
// aligned at the right; a dimension of 1 stretches.

/// numpy's broadcast of two shapes, or nil when they are incompatible.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
        let x = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
        let y = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
        if x != y && x != 1 && y != 1 { return nil }
        out[axis] = max(x, y)
    }
    return out
}

/// Element strides of `shape` seen through `outShape` (0 along broadcast axes).
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    let rank = outShape.count
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        let outAxis = axis + rank - shape.count
        strides[outAxis] = shape[axis] == 1 ? 0 : step
        step *= shape[axis]
    }
    return strides
}

/// Merges adjacent axes along which every operand is either contiguous or broadcast the same way,
/// so `[N, C, H, W]` against `[1, C, 1, 1]` becomes `[N, C, H*W]` against `[1, C, 1]`: the inner
/// loop then runs over whole planes instead of single rows.
func collapseAxes(_ outShape: [Int], _ operands: [[Int]]) -> (shape: [Int], operands: [[Int]]) {
    let rank = outShape.count
    let aligned = operands.map { shape in [Int](repeating: 1, count: rank - shape.count) + shape }
    var shape = [Int]()
    var result = [[Int]](repeating: [], count: operands.count)
    for axis in 0..<rank {
        let canMerge =
            !shape.isEmpty
            && aligned.indices.allSatisfy { index in
                let previousBroadcast = result[index].last! == 1 && shape.last! != 1
                let currentBroadcast = aligned[index][axis] == 1 && outShape[axis] != 1
                return previousBroadcast == currentBroadcast
            }
        if canMerge {
            shape[shape.count - 1] *= outShape[axis]
            for index in aligned.indices { result[index][result[index].count - 1] *= aligned[index][axis] }
        } else {
            shape.append(outShape[axis])
            for index in aligned.indices { result[index].append(aligned[index][axis]) }
        }
    }
    return (shape, result)
}

/// `out[i] = op(a[ia], b[ib])` over `outShape` with broadcast strides.
@inline(__always)
func broadcastBinary<Function: BinaryFunction>(
    _ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int],
    _ out: UnsafeMutablePointer<Float>, _ outShape: [Int], _ op: Function
) {
    let count = outShape.reduce(1, *)
    let aCount = aShape.reduce(1, *)
    let bCount = bShape.reduce(1, *)
    if aCount == count && bCount == count {
        Parallel.forRange(count) { range in
            for index in range { out[index] = op(a[index], b[index]) }
        }
        return
    }
    if bCount == 1 && aCount == count {
        let value = b[0]
        Parallel.forRange(count) { range in
            for index in range { out[index] = op(a[index], value) }
        }
        return
    }
    if aCount == 1 && bCount == count {
        let value = a[0]
        Parallel.forRange(count) { range in
            for index in range { out[index] = op(value, b[index]) }
        }
        return
    }
    guard count > 0 else { return }
    let collapsed = collapseAxes(outShape, [aShape, bShape])
    broadcastBinaryStrided(a, collapsed.operands[0], b, collapsed.operands[1], out, collapsed.shape, op)
}

/// The general case of `broadcastBinary`: an odometer over all axes but the last, a strided loop
/// along the last.
@inline(__always)
private func broadcastBinaryStrided<Function: BinaryFunction>(
    _ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int],
    _ out: UnsafeMutablePointer<Float>, _ outShape: [Int], _ op: Function
) {
    let count = outShape.reduce(1, *)
    let rank = outShape.count
    let aStrides = broadcastStrides(aShape, to: outShape)
    let bStrides = broadcastStrides(bShape, to: outShape)
    let inner = outShape[rank - 1]
    let aInner = aStrides[rank - 1]
    let bInner = bStrides[rank - 1]
    let outer = count / inner
    if rank == 2 || rank == 3 {
        // [rows, inner] or [outer rows, middle rows, inner]: offsets from the row number, no odometer
        // (most broadcasts collapse to these: a per-sample-channel or per-channel scalar over planes).
        let middle = rank == 3 ? outShape[1] : outer
        let (aOuter, bOuter) = rank == 3 ? (aStrides[0], bStrides[0]) : (0, 0)
        let (aMiddle, bMiddle) = (aStrides[rank - 2], bStrides[rank - 2])
        Parallel.forRange(outer, costPerItem: inner) { range in
            for row in range {
                let (high, low) = row.quotientAndRemainder(dividingBy: middle)
                let aOffset = high * aOuter + low * aMiddle
                let bOffset = high * bOuter + low * bMiddle
                stridedRow(a + aOffset, aInner, b + bOffset, bInner, out + row * inner, inner, op)
            }
        }
        return
    }
    Parallel.forRange(outer, costPerItem: inner) { range in
        var index = [Int](repeating: 0, count: rank)
        // Position the odometer at the start of the range.
        var remainder = range.lowerBound
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            index[axis] = remainder % outShape[axis]
            remainder /= outShape[axis]
        }
        for row in range {
            var aOffset = 0
            var bOffset = 0
            for axis in 0..<(rank - 1) {
                aOffset += index[axis] * aStrides[axis]
                bOffset += index[axis] * bStrides[axis]
            }
            stridedRow(a + aOffset, aInner, b + bOffset, bInner, out + row * inner, inner, op)
            advanceOdometer(&index, shape: outShape, lastAxis: rank - 2)
        }
    }
}

/// One row of `broadcastBinaryStrided`: `out[j] = op(a[j * aStride], b[j * bStride])`, with the
/// common cases (one operand a scalar for the row, the other contiguous) as plain loops.
@inline(__always)
private func stridedRow<Function: BinaryFunction>(
    _ a: UnsafePointer<Float>, _ aStride: Int, _ b: UnsafePointer<Float>, _ bStride: Int,
    _ out: UnsafeMutablePointer<Float>, _ count: Int, _ op: Function
) {
    if aStride == 1 && bStride == 0 {
        let value = b[0]
        for column in 0..<count { out[column] = op(a[column], value) }
    } else if aStride == 0 && bStride == 1 {
        let value = a[0]
        for column in 0..<count { out[column] = op(value, b[column]) }
    } else {
        for column in 0..<count { out[column] = op(a[column * aStride], b[column * bStride]) }
    }
}

/// Sums `input` (shape `inShape`) down to `outShape`, which `inShape` broadcasts from.
func reduceToShape(
    _ input: UnsafePointer<Float>, _ inShape: [Int], _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]
) {
    let outCount = outShape.reduce(1, *)
    let count = inShape.reduce(1, *)
    out.update(repeating: 0, count: outCount)
    guard count > 0 else { return }
    if outCount == count {
        out.update(from: input, count: count)
        return
    }
    if outCount == 1 {
        out[0] = Float(sumDouble(input, count: count))
        return
    }
    let collapsed = collapseAxes(inShape, [inShape, outShape])
    reduceStrided(input, collapsed.shape, out, collapsed.operands[1])
}

/// The general case of `reduceToShape` on collapsed axes.
private func reduceStrided(
    _ input: UnsafePointer<Float>, _ inShape: [Int], _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]
) {
    let count = inShape.reduce(1, *)
    let rank = inShape.count
    let strides = broadcastStrides(outShape, to: inShape)
    let inner = inShape[rank - 1]
    let innerStride = strides[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    for row in 0..<(count / inner) {
        var offset = 0
        for axis in 0..<(rank - 1) { offset += index[axis] * strides[axis] }
        let source = input + row * inner
        if innerStride == 0 {
            out[offset] += Float(sumDouble(source, count: inner))
        } else {
            for column in 0..<inner { out[offset + column] += source[column] }
        }
        advanceOdometer(&index, shape: inShape, lastAxis: rank - 2)
    }
}

/// A sum accumulated in double precision with SIMD lanes (float order-independent enough for
/// losses and statistics).
func sumDouble(_ values: UnsafePointer<Float>, count: Int) -> Double {
    var lanes = SIMD8<Double>(repeating: 0)
    var index = 0
    while index + 8 <= count {
        let chunk = UnsafeRawPointer(values + index).loadUnaligned(as: SIMD8<Float>.self)
        lanes += SIMD8<Double>(chunk)
        index += 8
    }
    var total = lanes.sum()
    while index < count {
        total += Double(values[index])
        index += 1
    }
    return total
}

/// `out[i] = op(a[i])`, split across cores for large tensors.
@inline(__always)
func unaryMap<Function: UnaryFunction>(
    _ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, _ op: Function
) {
    Parallel.forRange(count) { range in
        for index in range { out[index] = op(a[index]) }
    }
}

/// Steps a multi-index over `shape[0...lastAxis]` in row-major order (the last axis fastest).
@inline(__always)
func advanceOdometer(_ index: inout [Int], shape: [Int], lastAxis: Int) {
    var axis = lastAxis
    while axis >= 0 {
        index[axis] += 1
        if index[axis] < shape[axis] { return }
        index[axis] = 0
        axis -= 1
    }
}
