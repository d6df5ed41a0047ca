import Testing

@testable import StudioTensor

@Suite("Known answers from PyTorch")
struct TorchKnownAnswerTests {
    @Test func conv2dForwardAndGradients() throws {
        let cases = try #require(try TorchFixtures.load("conv2d.json")["cases"] as? [[String: Any]])
        #expect(cases.count == 4)
        for item in cases {
            let stride = try #require(item["stride"] as? Int)
            let padding = try #require(item["padding"] as? Int)
            let tape = Tape()
            let x = tape.watch(try item.tensor("x", shape: try item.ints("xShape")))
            let w = tape.watch(try item.tensor("w", shape: try item.ints("wShape")))
            let b = tape.watch(try item.tensor("b", shape: [4]))
            let y = Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
            #expect(y.shape == (try item.ints("yShape")))
            let what = "conv stride \(stride) padding \(padding)"
            expectClose(y.scalars, try item.floats("y"), rtol: 1e-5, atol: 1e-5, "\(what) forward")
            let grads = tape.gradients(
                of: (y * (try item.tensor("c", shape: y.shape))).sum(), withRespectTo: [x, w, b])
            expectClose(grads[0].scalars, try item.floats("gx"), rtol: 1e-5, atol: 1e-5, "\(what) dx")
            expectClose(grads[1].scalars, try item.floats("gw"), rtol: 1e-5, atol: 2e-5, "\(what) dw")
            expectClose(grads[2].scalars, try item.floats("gb"), rtol: 1e-5, atol: 2e-5, "\(what) db")
        }
    }

    @Test func crossEntropyAndLogSoftmax() throws {
        let fixture = try TorchFixtures.load("cross_entropy.json")
        let tape = Tape()
        let logits = tape.watch(try fixture.tensor("logits", shape: [5, 4]))
        expectClose(
            logits.logSoftmax().scalars, try fixture.floats("logSoftmax"), rtol: 1e-6, atol: 1e-6, "log_softmax")
        let loss = Tensor.crossEntropy(logits: logits, labels: try fixture.ints("labels"))
        expectClose([loss.scalar], [Float(try #require(fixture["loss"] as? Double))], rtol: 1e-6, "loss")
        expectClose(
            tape.gradients(of: loss, withRespectTo: [logits])[0].scalars, try fixture.floats("grad"), atol: 1e-6, "grad"
        )
    }

    /// The WGAN gradient penalty's parameter gradients need the gradient of a gradient (PyTorch:
    /// `autograd.grad(create_graph=True)`): conv, leaky ReLU, strided conv, ReLU, sum pool, linear.
    @Test func gradientPenaltyParameterGradients() throws {
        let f = try TorchFixtures.load("gradient_penalty.json")
        let tape = Tape()
        let w1 = tape.watch(try f.tensor("w1", shape: [4, 2, 3, 3]))
        let b1 = tape.watch(try f.tensor("b1", shape: [4]))
        let w2 = tape.watch(try f.tensor("w2", shape: [5, 4, 3, 3]))
        let b2 = tape.watch(try f.tensor("b2", shape: [5]))
        let lw = tape.watch(try f.tensor("lw", shape: [1, 5]))
        let lb = tape.watch(try f.tensor("lb", shape: [1]))
        let real = try f.tensor("real", shape: [3, 2, 8, 8])
        let fake = try f.tensor("fake", shape: [3, 2, 8, 8])
        let alpha = try f.tensor("alpha", shape: [3, 1, 1, 1])
        let mixed = tape.watch((alpha * real + (1 - alpha) * fake).detached)
        var h = Tensor.conv2d(mixed, weight: w1, bias: b1, padding: 1).leakyRelu(slope: 0.2)
        h = Tensor.conv2d(h, weight: w2, bias: b2, stride: 2, padding: 1).relu().globalSumPooled()
        let out = Tensor.linear(h, weight: lw, bias: lb)
        let gradient = tape.gradients(of: out.sum(), withRespectTo: [mixed], createGraph: true)[0]
        expectClose(gradient.scalars, try f.floats("inputGradient"), rtol: 1e-5, atol: 1e-5, "input gradient")
        let norms = (gradient.flattenedBatch().squared().sum(alongAxes: [1]) + 0).sqrt()
        let penalty = ((norms - 1).squared()).mean()
        expectClose([penalty.scalar], [Float(try #require(f["penalty"] as? Double))], rtol: 1e-5, "penalty")
        let grads = tape.gradients(of: penalty, withRespectTo: [w1, b1, w2, b2, lw, lb])
        let expected = try #require(f["grads"] as? [[Double]])
        for (index, name) in ["w1", "b1", "w2", "b2", "lw", "lb"].enumerated() {
            expectClose(
                grads[index].scalars, expected[index].map { Float($0) }, rtol: 1e-4, atol: 1e-5, "d penalty / d \(name)"
            )
        }
    }

    @Test func tapesAreReleasedWithTheirActivations() {
        weak var released: Tape?
        do {
            let tape = Tape()
            released = tape
            let x = tape.watch(Tensor.ones([4, 4]))
            let loss = (x * x).tanh().sum()
            _ = tape.gradients(of: loss, withRespectTo: [x], createGraph: true)
        }
        #expect(released == nil, "a tape must not be kept alive by the tensors its pullbacks hold")
    }
}

@Suite("Known answers from PyTorch, op by op")
struct TorchOpKnownAnswerTests {
    /// Each op's forward value and input gradient of `sum(op(x) * c)` against `ops.json`.
    @Test func everyOpMatchesTorch() throws {
        let cases = try #require(try TorchFixtures.load("ops.json")["cases"] as? [[String: Any]])
        let ops: [String: (Tensor, [String: Any]) throws -> Tensor] = [
            "upsampleNearest2x": { x, _ in x.upsampledNearest2x() },
            "avgPool2x2": { x, _ in x.averagePooled2x2() },
            "maxPool2x2": { x, _ in x.maxPooled2x2() },
            "globalSumPool": { x, _ in x.globalSumPooled() },
            "tanh": { x, _ in x.tanh() },
            "sigmoid": { x, _ in x.sigmoid() },
            "softplus": { x, _ in x.softplus() },
            "leakyRelu": { x, _ in x.leakyRelu(slope: 0.2) },
            "relu": { x, _ in x.relu() },
            "exp": { x, _ in x.exp() },
            "embedding": { x, item in x.gatherRows(try item.ints("indices")) },
            "sliceAxis1": { x, _ in x.slice(axis: 1, 1..<3) },
            "linear": { x, item in
                Tensor.linear(x, weight: try item.tensor("weight", shape: [3, 6]), bias: Tensor.ones([3]))
            },
        ]
        var checked = 0
        for item in cases {
            let name = try #require(item["op"] as? String)
            guard let op = ops[name] else { continue }
            let tape = Tape()
            let x = tape.watch(try item.tensor("x", shape: try item.ints("xShape")))
            let y = try op(x, item)
            #expect(y.shape == (try item.ints("yShape")), "\(name) shape")
            expectClose(y.scalars, try item.floats("y"), rtol: 1e-5, atol: 1e-5, "\(name) forward")
            let c = try item.tensor("c", shape: y.shape)
            let gradient = tape.gradients(of: (y * c).sum(), withRespectTo: [x])[0]
            expectClose(gradient.scalars, try item.floats("gx"), rtol: 1e-5, atol: 1e-5, "\(name) gradient")
            checked += 1
        }
        #expect(checked == ops.count)
    }
}
