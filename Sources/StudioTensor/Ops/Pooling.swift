// Nearest-neighbour 2x upsampling and 2x2 sum/average pooling, each the other's pullback.

extension Tensor {
    /// Repeats every pixel of `[N, C, H, W]` into a 2 x 2 block: `[N, C, 2H, 2W]`.
    public func upsampledNearest2x() -> Tensor {
        precondition(rank == 4, "upsampledNearest2x needs NCHW, got \(shape)")
        let (planes, height, width) = (shape[0] * shape[1], shape[2], shape[3])
        let value = makeTensor([shape[0], shape[1], 2 * height, 2 * width]) { out in
            withPointer { input in
                Parallel.forRange(planes, costPerItem: 4 * height * width) { range in
                    for plane in range {
                        let source = input + plane * height * width
                        let target = out + plane * 4 * height * width
                        for y in 0..<height {
                            let row = target + 2 * y * 2 * width
                            for x in 0..<width {
                                let v = source[y * width + x]
                                row[2 * x] = v
                                row[2 * x + 1] = v
                            }
                            (row + 2 * width).update(from: row, count: 2 * width)
                        }
                    }
                }
            }
        }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.sumPooled2x2()] }
    }

    /// Sums each 2 x 2 block of `[N, C, H, W]` (H and W even): `[N, C, H/2, W/2]`.
    public func sumPooled2x2() -> Tensor {
        precondition(
            rank == 4 && shape[2] % 2 == 0 && shape[3] % 2 == 0,
            "sumPooled2x2 needs NCHW with even H and W, got \(shape)")
        let (planes, height, width) = (shape[0] * shape[1], shape[2] / 2, shape[3] / 2)
        let value = makeTensor([shape[0], shape[1], height, width]) { out in
            withPointer { input in
                Parallel.forRange(planes, costPerItem: 4 * height * width) { range in
                    for plane in range {
                        let source = input + plane * 4 * height * width
                        let target = out + plane * height * width
                        for y in 0..<height {
                            let top = source + 2 * y * 2 * width
                            let bottom = top + 2 * width
                            for x in 0..<width {
                                target[y * width + x] = top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1]
                            }
                        }
                    }
                }
            }
        }
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.upsampledNearest2x()] }
    }

    /// 2 x 2 average pooling.
    public func averagePooled2x2() -> Tensor { sumPooled2x2() * 0.25 }

    /// Sums over height and width: `[N, C, H, W] -> [N, C]` (BigGAN's global sum pooling).
    public func globalSumPooled() -> Tensor {
        precondition(rank == 4, "globalSumPooled needs NCHW, got \(shape)")
        return sum(alongAxes: [2, 3]).reshaped([shape[0], shape[1]])
    }
}

extension Tensor {
    /// The maximum of each 2 x 2 block of `[N, C, H, W]` (H and W even). The gradient goes to the
    /// winning pixel of each block (the first one on ties), through a constant 0/1 mask, so the
    /// pullback is linear and differentiable again.
    public func maxPooled2x2() -> Tensor {
        precondition(
            rank == 4 && shape[2] % 2 == 0 && shape[3] % 2 == 0,
            "maxPooled2x2 needs NCHW with even H and W, got \(shape)")
        let (planes, height, width) = (shape[0] * shape[1], shape[2] / 2, shape[3] / 2)
        let maskStorage = TensorStorage(count: count, repeating: 0)
        let value = makeTensor([shape[0], shape[1], height, width]) { out in
            withPointer { input in
                let mask = maskStorage.pointer
                for plane in 0..<planes {
                    let source = input + plane * 4 * height * width
                    let winners = mask + plane * 4 * height * width
                    for y in 0..<height {
                        for x in 0..<width {
                            let corners = [
                                2 * y * 2 * width + 2 * x, 2 * y * 2 * width + 2 * x + 1,
                                (2 * y + 1) * 2 * width + 2 * x, (2 * y + 1) * 2 * width + 2 * x + 1,
                            ]
                            var best = corners[0]
                            for corner in corners.dropFirst() where source[corner] > source[best] { best = corner }
                            winners[best] = 1
                            out[plane * height * width + y * width + x] = source[best]
                        }
                    }
                }
            }
        }
        let mask = Tensor(shape: shape, storage: maskStorage)
        return Tape.record(value, inputs: [self]) { g, _, _ in [g.upsampledNearest2x() * mask] }
    }
}
