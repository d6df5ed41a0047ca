import StudioNN
import StudioTensor

/// A model that maps images `[N, C, H, W]` to class logits, with penultimate features.
public protocol ImageClassifier: Module {
    /// Logits `[N, classes]`.
    func logits(_ images: Tensor) -> Tensor
    /// Penultimate features `[N, width]`.
    func features(_ images: Tensor) -> Tensor
}

extension ResidualClassifier: ImageClassifier {
    /// Logits `[N, classes]`.
    public func logits(_ images: Tensor) -> Tensor { self(images) }
}

extension ConvolutionalClassifier: ImageClassifier {
    /// Logits `[N, classes]`.
    public func logits(_ images: Tensor) -> Tensor { self(images) }

    /// Globally averaged last-stage features `[N, width]`.
    public func features(_ images: Tensor) -> Tensor { pooledFeatures(images) }
}
