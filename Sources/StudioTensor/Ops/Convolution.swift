// 2-D convolution as three differentiable primitives that are each other's pullbacks: the forward
// convolution, its input gradient and its weight gradient. All three are bilinear, so each one's
// pullback is the other two, and gradients of gradients (the WGAN gradient penalty) come for free.

extension Tensor {
    private static func geometry(input: [Int], weight: [Int], stride: Int, padding: Int) -> ConvolutionGeometry {
        precondition(
            input.count == 4 && weight.count == 4, "conv2d needs NCHW input and KCRS weight, got \(input) and \(weight)"
        )
        precondition(input[1] == weight[1], "conv2d: input has \(input[1]) channels, weight expects \(weight[1])")
        precondition(stride > 0 && padding >= 0, "conv2d: stride \(stride) must be > 0 and padding \(padding) >= 0")
        let g = ConvolutionGeometry(
            batch: input[0], inputChannels: input[1], inputHeight: input[2], inputWidth: input[3],
            outputChannels: weight[0], kernelHeight: weight[2], kernelWidth: weight[3], stride: stride, padding: padding
        )
        precondition(
            g.outputHeight > 0 && g.outputWidth > 0, "conv2d: kernel \(weight) larger than padded input \(input)")
        return g
    }

    /// Cross-correlation of `x [N, C, H, W]` with `weight [K, C, R, S]` (PyTorch `conv2d`), plus an
    /// optional `bias [K]`.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0)
        -> Tensor
    {
        let output = convolution(x, weight, stride: stride, padding: padding)
        guard let bias else { return output }
        return output + bias.reshaped([1, bias.count, 1, 1])
    }

    static func convolution(_ x: Tensor, _ weight: Tensor, stride: Int, padding: Int) -> Tensor {
        let g = geometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
        let value = makeTensor([g.batch, g.outputChannels, g.outputHeight, g.outputWidth]) { out in
            x.withPointer { px in weight.withPointer { pw in convolutionForward(out, px, pw, g) } }
        }
        return Tape.record(value, inputs: [x, weight]) { dy, _, needs in
            [
                needs[0]
                    ? convolutionInputGradient(dy, weight, inputShape: x.shape, stride: stride, padding: padding) : nil,
                needs[1]
                    ? convolutionWeightGradient(x, dy, weightShape: weight.shape, stride: stride, padding: padding)
                    : nil,
            ]
        }
    }

    static func convolutionInputGradient(_ dy: Tensor, _ weight: Tensor, inputShape: [Int], stride: Int, padding: Int)
        -> Tensor
    {
        let g = geometry(input: inputShape, weight: weight.shape, stride: stride, padding: padding)
        let value = makeTensor(inputShape) { out in
            dy.withPointer { pdy in weight.withPointer { pw in convolutionBackwardData(out, pdy, pw, g) } }
        }
        return Tape.record(value, inputs: [dy, weight]) { gradient, _, needs in
            [
                needs[0] ? convolution(gradient, weight, stride: stride, padding: padding) : nil,
                needs[1]
                    ? convolutionWeightGradient(
                        gradient, dy, weightShape: weight.shape, stride: stride, padding: padding) : nil,
            ]
        }
    }

    static func convolutionWeightGradient(_ x: Tensor, _ dy: Tensor, weightShape: [Int], stride: Int, padding: Int)
        -> Tensor
    {
        let g = geometry(input: x.shape, weight: weightShape, stride: stride, padding: padding)
        let value = makeTensor(weightShape) { out in
            x.withPointer { px in dy.withPointer { pdy in convolutionBackwardFilter(out, px, pdy, g) } }
        }
        return Tape.record(value, inputs: [x, dy]) { gradient, _, needs in
            [
                needs[0]
                    ? convolutionInputGradient(dy, gradient, inputShape: x.shape, stride: stride, padding: padding)
                    : nil,
                needs[1] ? convolution(x, gradient, stride: stride, padding: padding) : nil,
            ]
        }
    }
}
