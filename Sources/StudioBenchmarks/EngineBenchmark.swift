import Dispatch
import Foundation
import StudioSupport
import StudioTensor

/// The engine's kernels against the GEMM ceiling: sgemm at n = 1024 and the convolutions of the
/// ProbeGAN `mel` configuration (batch 32), forward, input gradient and weight gradient.
func engineBenchmark() throws {
    let repeats = Int(option("repeats", default: "5")) ?? 5
    var generator = SplitMix64(seed: 1)
    let n = 1024
    let a = Tensor.randomNormal([n, n], using: &generator)
    let b = Tensor.randomNormal([n, n], using: &generator)
    _ = Tensor.matmul(a, b)
    var times = [Double]()
    for _ in 0..<repeats { times.append(seconds { _ = Tensor.matmul(a, b) }) }
    print("sgemm1024_gflops=\(2 * pow(Double(n), 3) / median(times) / 1e9)")

    // (name, batch, in, out, size, kernel): `--layers wide` (the default) is the heaviest
    // convolutions of the mel configuration at channel base 64; `--layers quick` those of the
    // quick preset (channel base 16, batch 32; D sees real and fake, 64).
    let wide: [(String, Int, Int, Int, Int, Int)] = [
        ("g64_3x3_64to64", 32, 64, 64, 64, 3),
        ("g32_3x3_128to64", 32, 128, 64, 64, 3),
        ("d64_3x3_1to64", 64, 1, 64, 64, 3),
        ("d32_3x3_64to128", 64, 64, 128, 32, 3),
        ("d16_3x3_128to256", 64, 128, 256, 16, 3),
    ]
    let quick: [(String, Int, Int, Int, Int, Int)] = [
        ("g64_3x3_16to16", 32, 16, 16, 64, 3),
        ("g32_3x3_32to16", 32, 32, 16, 32, 3),
        ("g16_3x3_64to32", 32, 64, 32, 16, 3),
        ("d64_3x3_1to16", 64, 1, 16, 64, 3),
        ("d64_3x3_16to16", 64, 16, 16, 64, 3),
        ("d32_3x3_16to32", 64, 16, 32, 32, 3),
        ("d16_3x3_32to64", 64, 32, 64, 16, 3),
    ]
    let layers = option("layers", default: "wide") == "quick" ? quick : wide
    var totalFlops = 0.0
    var totalSeconds = 0.0
    for (name, batch, inChannels, outChannels, size, kernel) in layers {
        let x = Tensor.randomNormal([batch, inChannels, size, size], using: &generator)
        let w = Tensor.randomNormal([outChannels, inChannels, kernel, kernel], using: &generator)
        let flops = 2.0 * Double(batch * outChannels * size * size * inChannels * kernel * kernel)
        let tape = Tape()
        let xw = tape.watch(x)
        let ww = tape.watch(w)
        let y = Tensor.conv2d(xw, weight: ww, padding: kernel / 2)
        let dy = Tensor.randomNormal(y.shape, using: &generator)
        _ = tape.gradients(of: y, withRespectTo: [xw, ww], seed: dy)
        var forward = [Double]()
        var backward = [Double]()
        for _ in 0..<repeats {
            forward.append(seconds { _ = Tensor.conv2d(x, weight: w, padding: kernel / 2) })
            backward.append(seconds { _ = tape.gradients(of: y, withRespectTo: [xw, ww], seed: dy) })
        }
        let f = median(forward)
        let bwd = median(backward)
        totalFlops += 3 * flops
        totalSeconds += f + bwd
        print("conv_\(name)_forward_ms=\(f * 1000) conv_\(name)_forward_gflops=\(flops / f / 1e9)")
        print("conv_\(name)_backward_ms=\(bwd * 1000) conv_\(name)_backward_gflops=\(2 * flops / bwd / 1e9)")
    }
    print("conv_total_ms=\(totalSeconds * 1000)")
    print("conv_total_gflops=\(totalFlops / totalSeconds / 1e9)")
}
