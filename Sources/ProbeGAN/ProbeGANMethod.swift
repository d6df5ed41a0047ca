/// What is trained, following the paper's section 4 comparisons.
public enum ProbeGANMethod: String, Sendable, Codable, CaseIterable {
    /// The paper's method: D_c (hinge) on seen classes, D_u (WGAN-GP) on every fake with class
    /// dilution, and the frozen classifier's cross-entropy on fakes of every class.
    case probegan
    /// The paper's NAIVE baseline: one constant (target) label, no D_c, no dilution; D_u sees only
    /// target-class fakes against seen-class reals, plus the classifier's loss.
    case naive
    /// ORACLE: the unseen class's real data is included (an upper bound that saw the class).
    case oracle
    /// GAN-AM: a conditional GAN (D_c hinge only) trained on the seen classes, then a new class
    /// embedding optimised to maximise the classifier's target class (BigGAN-AM).
    case ganAM = "gan-am"

    /// True when the method trains the unconditional head D_u.
    public var usesUnconditionalHead: Bool { self != .ganAM }
    /// True when the method trains the conditional (projection) head D_c.
    public var usesConditionalHead: Bool { self != .naive }
    /// True when the classifier's loss shapes the generator during GAN training.
    public var usesClassifierDuringTraining: Bool { self != .ganAM }
}
