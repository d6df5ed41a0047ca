// Naive loops kept beside the fast kernels, for tests to compare against (llm.c's
// `matmul_forward_naive`). Legend as in ConvolutionKernels.swift.

/// Direct seven-loop convolution.
func referenceConvolutionForward(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
    _ g: ConvolutionGeometry
) {
    for n in 0..<g.batch {
        for k in 0..<g.outputChannels {
            for p in 0..<g.outputHeight {
                for q in 0..<g.outputWidth {
                    var sum: Float = 0
                    for c in 0..<g.inputChannels {
                        for r in 0..<g.kernelHeight {
                            for s in 0..<g.kernelWidth {
                                let y = p * g.stride - g.padding + r
                                let x = q * g.stride - g.padding + s
                                guard y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth else { continue }
                                sum +=
                                    input[((n * g.inputChannels + c) * g.inputHeight + y) * g.inputWidth + x]
                                    * weight[((k * g.inputChannels + c) * g.kernelHeight + r) * g.kernelWidth + s]
                            }
                        }
                    }
                    output[((n * g.outputChannels + k) * g.outputHeight + p) * g.outputWidth + q] = sum
                }
            }
        }
    }
}

/// Direct input gradient: scatters each output gradient back through the kernel.
func referenceConvolutionBackwardData(
    _ inputGradient: UnsafeMutablePointer<Float>, _ outputGradient: UnsafePointer<Float>,
    _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry
) {
    inputGradient.update(repeating: 0, count: g.batch * g.inputChannels * g.inputHeight * g.inputWidth)
    for n in 0..<g.batch {
        for k in 0..<g.outputChannels {
            for p in 0..<g.outputHeight {
                for q in 0..<g.outputWidth {
                    let gradient = outputGradient[((n * g.outputChannels + k) * g.outputHeight + p) * g.outputWidth + q]
                    for c in 0..<g.inputChannels {
                        for r in 0..<g.kernelHeight {
                            for s in 0..<g.kernelWidth {
                                let y = p * g.stride - g.padding + r
                                let x = q * g.stride - g.padding + s
                                guard y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth else { continue }
                                inputGradient[((n * g.inputChannels + c) * g.inputHeight + y) * g.inputWidth + x] +=
                                    gradient
                                    * weight[((k * g.inputChannels + c) * g.kernelHeight + r) * g.kernelWidth + s]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Direct weight gradient.
func referenceConvolutionBackwardFilter(
    _ weightGradient: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
    _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry
) {
    weightGradient.update(repeating: 0, count: g.outputChannels * g.inputChannels * g.kernelHeight * g.kernelWidth)
    for n in 0..<g.batch {
        for k in 0..<g.outputChannels {
            for p in 0..<g.outputHeight {
                for q in 0..<g.outputWidth {
                    let gradient = outputGradient[((n * g.outputChannels + k) * g.outputHeight + p) * g.outputWidth + q]
                    for c in 0..<g.inputChannels {
                        for r in 0..<g.kernelHeight {
                            for s in 0..<g.kernelWidth {
                                let y = p * g.stride - g.padding + r
                                let x = q * g.stride - g.padding + s
                                guard y >= 0, y < g.inputHeight, x >= 0, x < g.inputWidth else { continue }
                                weightGradient[((k * g.inputChannels + c) * g.kernelHeight + r) * g.kernelWidth + s] +=
                                    gradient * input[((n * g.inputChannels + c) * g.inputHeight + y) * g.inputWidth + x]
                            }
                        }
                    }
                }
            }
        }
    }
}
