import StudioTensor

/// The losses of the ProbeGAN paper's equations (1)-(4), on discriminator outputs `[N]`.
public enum ProbeGANLosses {
    /// Mean of `values` over the samples whose mask is 1 (0 when none is): the seen-class average.
    public static func maskedMean(_ values: Tensor, mask: [Float]) -> Tensor {
        let count = mask.reduce(0, +)
        return (values * Tensor(shape: [mask.count], scalars: mask)).sum() / max(count, 1)
    }

    /// Hinge loss of the conditional discriminator on seen classes only (eq. 1): reals are all seen;
    /// fakes of unseen classes are dropped through `fakeSeen`.
    public static func conditionalHinge(real: Tensor, fake: Tensor, fakeSeen: [Float]) -> Tensor {
        (1 - real).relu().mean() + maskedMean((1 + fake).relu(), mask: fakeSeen)
    }

    /// The WGAN critic loss `E[D_u(fake)] - E[D_u(real)]` (eq. 2, without the penalty).
    public static func wassersteinCritic(real: Tensor, fake: Tensor) -> Tensor { fake.mean() - real.mean() }

    /// `E[(||grad_x D_u(x_hat)||_2 - 1)^2]` from the per-sample input gradients `[N, ...]`.
    public static func gradientPenalty(inputGradient: Tensor) -> Tensor {
        let norms = (inputGradient.flattenedBatch().squared().sum(alongAxes: [1]) + 1e-12).sqrt()
        return (norms - 1).squared().mean()
    }
}
