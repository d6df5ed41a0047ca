import StudioSupport
import Testing

@testable import StudioTensor

/// Seeded random tensors for tests.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SplitMix64(seed: seed)
    return Tensor(
        shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in scale * (2 * generator.nextUnitFloat() - 1) })
}

/// Compares the tape's gradients of `sum(f(inputs) * cotangent)` with central finite differences
/// (step `epsilon`, the loss accumulated in double by `sumDouble`), input by input.
func checkGradients(
    _ inputs: [Tensor], epsilon: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3,
    sourceLocation: SourceLocation = #_sourceLocation, _ function: ([Tensor]) -> Tensor
) {
    let probe = function(inputs)
    let cotangent = randomTensor(probe.shape, seed: 99)
    func loss(_ values: [Tensor]) -> Double {
        let output = function(values) * cotangent
        return output.withPointer { sumDouble($0, count: output.count) }
    }
    let tape = Tape()
    let watched = inputs.map { tape.watch($0) }
    let root = (function(watched) * cotangent).sum()
    let analytic = tape.gradients(of: root, withRespectTo: watched)
    for (position, input) in inputs.enumerated() {
        let values = input.scalars
        var numeric = [Float](repeating: 0, count: values.count)
        for index in values.indices {
            var plus = values
            var minus = values
            plus[index] += epsilon
            minus[index] -= epsilon
            var upper = inputs
            var lower = inputs
            upper[position] = Tensor(shape: input.shape, scalars: plus)
            lower[position] = Tensor(shape: input.shape, scalars: minus)
            numeric[index] = Float((loss(upper) - loss(lower)) / Double(2 * epsilon))
        }
        let got = analytic[position].scalars
        let scale = numeric.map { abs($0) }.max() ?? 1
        for index in values.indices
        where abs(got[index] - numeric[index]) > atol * max(1, scale) + rtol * abs(numeric[index]) {
            Issue.record(
                "input \(position) element \(index): tape \(got[index]), finite differences \(numeric[index])",
                sourceLocation: sourceLocation)
            return
        }
    }
}

/// Expects elementwise closeness (numpy `allclose`), reporting the worst element.
func expectClose(
    _ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
        sourceLocation: sourceLocation)
    var worst = (index: -1, excess: Float(0))
    for index in 0..<min(actual.count, expected.count) {
        let excess = abs(actual[index] - expected[index]) - (atol + rtol * abs(expected[index]))
        if excess > worst.excess || excess.isNaN { worst = (index, excess.isNaN ? .infinity : excess) }
    }
    if worst.index >= 0 {
        Issue.record(
            "\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])",
            sourceLocation: sourceLocation)
    }
}
