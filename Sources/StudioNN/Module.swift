import StudioTensor

/// A trainable tensor owned by a module.
public final class Parameter: @unchecked Sendable {
    /// The current value. During a training step it is a watched (tracked) copy of the same storage.
    public var value: Tensor
    /// When true, optimisers skip it and `watch(on:)` leaves it a constant: gradients flow through
    /// it to the input but never change it.
    public var isFrozen = false

    /// Wraps an initial value.
    public init(_ value: Tensor) { self.value = value.detached }
}

/// A non-trainable tensor a module keeps between calls (running statistics, power-iteration vectors).
public final class Buffer: @unchecked Sendable {
    /// The current value (never tracked).
    public var value: Tensor

    /// Wraps an initial value.
    public init(_ value: Tensor) { self.value = value.detached }
}

/// The base of every layer and model: parameters and buffers listed explicitly, children named,
/// train/eval mode and freezing.
///
/// Subclasses override `ownParameters`, `ownBuffers` and `children`; everything else derives from
/// them. Names join with dots, as PyTorch's `state_dict` keys do (`block1.conv.weight`).
open class Module: @unchecked Sendable {
    /// True in training mode (batch statistics, power iteration); false in evaluation mode.
    public private(set) var isTraining = true

    /// A module in training mode.
    public init() {}

    /// This module's own parameters, not its children's.
    open func ownParameters() -> [(String, Parameter)] { [] }
    /// This module's own buffers.
    open func ownBuffers() -> [(String, Buffer)] { [] }
    /// The direct sub-modules.
    open func children() -> [(String, Module)] { [] }

    /// Every parameter, depth first, with dotted names.
    public func namedParameters() -> [(String, Parameter)] {
        ownParameters()
            + children().flatMap { name, child in child.namedParameters().map { ("\(name).\($0.0)", $0.1) } }
    }

    /// Every buffer, depth first, with dotted names.
    public func namedBuffers() -> [(String, Buffer)] {
        ownBuffers() + children().flatMap { name, child in child.namedBuffers().map { ("\(name).\($0.0)", $0.1) } }
    }

    /// This module and every descendant, depth first.
    public func allModules() -> [Module] { [self] + children().flatMap { $0.1.allModules() } }

    /// Every parameter that is not frozen.
    public var trainableParameters: [Parameter] { namedParameters().map(\.1).filter { !$0.isFrozen } }

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.value.count } }

    /// Switches this module and its children to training (`true`) or evaluation mode.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children() { child.setTraining(training) }
    }

    /// Freezes (or unfreezes) every parameter.
    public func setFrozen(_ frozen: Bool) {
        for (_, parameter) in namedParameters() { parameter.isFrozen = frozen }
    }

    /// Replaces every trainable parameter's value by a watched copy on `tape` and returns them in
    /// `trainableParameters` order, ready for `tape.gradients(of:withRespectTo:)`.
    @discardableResult
    public func watch(on tape: Tape) -> [Tensor] {
        trainableParameters.map { parameter in
            parameter.value = tape.watch(parameter.value.detached)
            return parameter.value
        }
    }

    /// Drops every parameter's tape, leaving plain values.
    public func detachParameters() {
        for (_, parameter) in namedParameters() { parameter.value = parameter.value.detached }
    }
}
