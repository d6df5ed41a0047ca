import Foundation

/// A reverse-mode tape: a flat list of nodes with integer parent indices, appended in execution
/// order (so the order is already topological and backward needs no recursion).
///
/// Every pullback is written with differentiable tensor operations. With `createGraph: true` the
/// backward pass is itself recorded on the tape, so gradients of gradients work (PyTorch's
/// `create_graph=True`, which the WGAN gradient penalty needs).
///
/// A tape is meant for one training step: create it, `watch` the parameters, run the forward pass,
/// ask for gradients, drop it. Releasing it frees every saved activation at once.
public final class Tape: @unchecked Sendable {
    /// How an operation's output gradient becomes its inputs' gradients. `output` is the
    /// operation's (tracked) result; `needs[i]` tells whether input `i` wants a gradient, and the
    /// pullback may return nil for the others.
    public typealias Pullback = (_ gradient: Tensor, _ output: Tensor, _ needs: [Bool]) -> [Tensor?]

    struct Node {
        let inputs: [Int]
        let shape: [Int]
        let storage: TensorStorage?
        let pullback: Pullback?
    }

    private(set) var nodes: [Node] = []
    /// What pullbacks of operations that did not save their output receive as `output`.
    static let placeholder = Tensor(shape: [0], storage: TensorStorage(uninitializedCount: 0))
    /// Operations are recorded only while this is true (it is false during a plain backward pass).
    public internal(set) var isRecording = true

    /// An empty tape.
    public init() {}

    /// Number of nodes recorded so far.
    public var nodeCount: Int { nodes.count }

    /// A leaf on this tape holding the same values: gradients can be taken with respect to it.
    public func watch(_ tensor: Tensor) -> Tensor {
        nodes.append(Node(inputs: [], shape: tensor.shape, storage: nil, pullback: nil))
        return Tensor(shape: tensor.shape, storage: tensor.storage, tape: self, node: nodes.count - 1)
    }

    /// Records an operation whose output is `value`, if any input is tracked on a recording tape.
    ///
    /// Only operations whose pullback reads `output` set `savingOutput`; the others leave the tape
    /// without a reference to their result, so it is freed as soon as the forward pass is done with
    /// it (the pullback then receives an empty placeholder).
    public static func record(
        _ value: Tensor, inputs: [Tensor], savingOutput: Bool = false, pullback: @escaping Pullback
    ) -> Tensor {
        var tape: Tape?
        for input in inputs where input.isTracked {
            if let existing = tape {
                precondition(existing === input.tape, "an operation mixes tensors from two different tapes")
            }
            tape = input.tape
        }
        guard let tape else { return value }
        let indices = inputs.map { $0.isTracked ? $0.node : -1 }
        tape.nodes.append(
            Node(inputs: indices, shape: value.shape, storage: savingOutput ? value.storage : nil, pullback: pullback))
        return Tensor(shape: value.shape, storage: value.storage, tape: tape, node: tape.nodes.count - 1)
    }

    /// Gradients of `root` (summed, if it has several elements) with respect to each of `sources`.
    ///
    /// - Parameters:
    ///   - root: A tensor recorded on this tape.
    ///   - sources: Tensors recorded on this tape (usually watched leaves); unreachable ones get zeros.
    ///   - seed: The gradient of `root` (default: ones).
    ///   - createGraph: Record the backward pass, so the returned gradients are differentiable.
    public func gradients(
        of root: Tensor, withRespectTo sources: [Tensor], seed: Tensor? = nil, createGraph: Bool = false
    ) -> [Tensor] {
        precondition(root.tape === self, "gradients(of:) needs a root recorded on this tape")
        for source in sources {
            precondition(source.tape === self, "every source must be recorded on this tape")
        }
        let end = root.node + 1
        // Which nodes lie on a path from a source to the root.
        var wanted = [Bool](repeating: false, count: end)
        for source in sources where source.node < end { wanted[source.node] = true }
        for index in 0..<end where !wanted[index] {
            wanted[index] = nodes[index].inputs.contains { $0 >= 0 && wanted[$0] }
        }
        let sourceNodes = Set(sources.map(\.node))
        var grads = [Tensor?](repeating: nil, count: end)
        grads[root.node] = seed ?? Tensor.ones(root.shape)
        let wasRecording = isRecording
        isRecording = createGraph
        defer { isRecording = wasRecording }
        for index in stride(from: root.node, through: 0, by: -1) {
            guard let gradient = grads[index], let pullback = nodes[index].pullback else { continue }
            let inputs = nodes[index].inputs
            let needs = inputs.map { $0 >= 0 && wanted[$0] }
            guard needs.contains(true) else { continue }
            let output =
                nodes[index].storage.map { Tensor(shape: nodes[index].shape, storage: $0, tape: self, node: index) }
                ?? Tape.placeholder
            let inputGradients = pullback(gradient, output, needs)
            for (position, input) in inputs.enumerated() where needs[position] {
                guard let contribution = inputGradients[position] else { continue }
                precondition(
                    contribution.shape == nodes[input].shape,
                    "pullback of node \(index) gave shape \(contribution.shape) for an input of shape \(nodes[input].shape)"
                )
                grads[input] = grads[input].map { $0 + contribution } ?? contribution
            }
            // Intermediate gradients are no longer needed once passed on.
            if !sourceNodes.contains(index) { grads[index] = nil }
        }
        return sources.map { source in
            grads[source.node] ?? Tensor.zeros(source.shape)
        }
    }
}
