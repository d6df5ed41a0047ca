import StudioSupport
import StudioTensor

/// PyTorch's default initialisations, seeded.
public enum Initializer {
    /// `U(-1/sqrt(fanIn), 1/sqrt(fanIn))`: PyTorch's default for `Linear` and `Conv2d` weights
    /// (`kaiming_uniform_(a=sqrt(5))`) and biases.
    public static func uniformFanIn(_ shape: [Int], fanIn: Int, using generator: inout SplitMix64) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor.randomUniform(shape, lower: -bound, upper: bound, using: &generator)
    }
}
