import StudioSupport

/// Draws the class labels of generated samples: class dilution mixes unseen-class fakes among
/// seen-class fakes, so D_u judges them all against the same seen-class reals.
public struct FakeLabelSampler: Sendable, Equatable {
    /// Labels drawn when a fake is "seen" and when it is "unseen".
    public let seen: [Int], unseen: [Int]
    /// Probability that a fake is drawn from `unseen`; `nil`: uniform over `seen + unseen`.
    public let unseenShare: Double?

    /// A sampler; at least one of `seen` and `unseen` must be non-empty.
    public init(seen: [Int], unseen: [Int], unseenShare: Double?) {
        precondition(!(seen.isEmpty && unseen.isEmpty), "FakeLabelSampler needs at least one class")
        if let unseenShare { precondition((0...1).contains(unseenShare), "unseenShare \(unseenShare) outside [0, 1]") }
        self.seen = seen
        self.unseen = unseen
        self.unseenShare = unseenShare
    }

    /// The sampler of a method: ProbeGAN and ORACLE dilute over every class, NAIVE draws only the
    /// target classes, GAN-AM's base GAN only the seen ones.
    public init(configuration: ProbeGANConfiguration) {
        let all = Array(configuration.classNames.indices)
        let unseen = configuration.unseen
        switch configuration.method {
        case .probegan:
            self.init(
                seen: all.filter { !unseen.contains($0) }, unseen: unseen, unseenShare: configuration.unseenShare)
        case .oracle: self.init(seen: all, unseen: [], unseenShare: nil)
        case .naive: self.init(seen: [], unseen: unseen, unseenShare: 1)
        case .ganAM: self.init(seen: all.filter { !unseen.contains($0) }, unseen: [], unseenShare: 0)
        }
    }

    /// `count` labels.
    public func labels(_ count: Int, using random: inout SplitMix64) -> [Int] {
        (0..<count).map { _ in
            guard let share = unseenShare else {
                let all = seen + unseen
                return all[Int(random.next() % UInt64(all.count))]
            }
            let pool = unseen.isEmpty ? seen : (seen.isEmpty ? unseen : (random.nextDouble() < share ? unseen : seen))
            return pool[Int(random.next() % UInt64(pool.count))]
        }
    }
}

extension SplitMix64 {
    /// A double uniformly distributed in [0, 1) with 53 random bits.
    mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}
