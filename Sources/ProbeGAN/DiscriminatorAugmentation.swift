import StudioSupport
import StudioTensor

/// Differentiable augmentation of every image the discriminator sees, real and generated alike
/// (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training", NeurIPS 2020):
/// with a small training set the discriminator memorises its real examples, and the generator
/// learns whatever passes that memory. The generator's gradient flows through the augmentation;
/// the frozen classifier sees the generated images unaugmented.
///
/// For log-mel spectrograms the two operations keep what a clip means: a circular shift in time
/// (speech can start anywhere in a clip) and a level change (the same voice louder or softer). No
/// frequency shift: that would move pitch, which tells men from women.
public struct DiscriminatorAugmentation: Sendable, Codable, Equatable {
    /// The largest time shift, as a share of the frames (each image draws its own in
    /// `[-share, share]`); 0: none.
    public var timeShiftShare: Double
    /// The largest level change in input units (each image draws its own offset in
    /// `[-gain, gain]`; in [-1, 1] log-mel units of a 130 dB range, 0.1 is about 6.5 dB); 0: none.
    public var gain: Float

    /// An augmentation; the defaults are DiffAugment's translation share (1/8) and a level change
    /// of about 6.5 dB.
    public init(timeShiftShare: Double = 0.125, gain: Float = 0.1) {
        self.timeShiftShare = timeShiftShare
        self.gain = gain
    }

    /// `images` `[N, C, H, W]`, each shifted in time (last axis) and level by its own draw from
    /// `random`; the draws are made in a fixed order, so a seeded run repeats bit for bit.
    ///
    /// In data-parallel training `images` is shard `shard` of `shards` equal shards of a batch:
    /// the whole batch's draws are made, and this shard's are used.
    public func apply(_ images: Tensor, using random: inout SplitMix64, shard: Int = 0, of shards: Int = 1) -> Tensor {
        let count = images.shape[0]
        let rows = (shard * count)..<((shard + 1) * count)
        let frames = images.shape[images.rank - 1]
        let largestShift = Int((timeShiftShare * Double(frames)).rounded(.down))
        var out = images
        if largestShift > 0 {
            let shifts = (0..<(count * shards)).map { _ in
                Int(random.nextUnitFloat() * Float(2 * largestShift + 1)) - largestShift
            }
            out = out.rolledAlongLastAxis(shifts: Array(shifts[rows]))
        }
        if gain > 0 {
            let offsets = Array((0..<(count * shards)).map { _ in (2 * random.nextUnitFloat() - 1) * gain }[rows])
            var shape = [Int](repeating: 1, count: images.rank)
            shape[0] = count
            out = out + Tensor(shape: shape, scalars: offsets)
        }
        return out
    }
}
