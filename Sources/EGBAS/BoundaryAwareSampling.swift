import StudioSupport
import StudioTensor

/// E-GBAS (the paper's Algorithm 3): BerOpt finds the smallest supporting boundary set of a layer
/// for the query, and GB-RRT samples the region it bounds. `samples` draws a set of the requested
/// size uniformly from the tree (as the paper's Figure 3b does), and `baselines` draws the same
/// number from the two epsilon balls sized from this run's accepted and rejected points.
public struct BoundaryAwareSampling: Sendable {
    /// Algorithm 1's settings.
    public var maskOptimization = BernoulliMaskOptimization()
    /// Algorithm 2's settings.
    public var tree = BoundaryRRT()

    /// E-GBAS with default settings.
    public init() {}

    /// One query at one layer.
    public struct Exploration: Sendable {
        /// BerOpt's result (the region and the boundary count).
        public let boundaries: BernoulliMaskOptimization.Result
        /// The region.
        public let region: GenerativeRegion
        /// GB-RRT's tree.
        public let tree: BoundaryRRT.Tree
    }

    /// Runs BerOpt then GB-RRT for `z0 [1, D_z]` at `layer`.
    public func explore(
        generator: any LayeredGenerator, query z0: Tensor, layer: Int, seed: UInt64
    ) throws -> Exploration {
        let boundaries = try maskOptimization.optimize(generator: generator, query: z0, layer: layer, seed: seed)
        let region = boundaries.region
        let grown = try tree.explore(generator: generator, query: z0, region: region, seed: seed &+ 1)
        return Exploration(boundaries: boundaries, region: region, tree: grown)
    }

    /// Up to `count` accepted points drawn uniformly without replacement from the tree.
    public static func samples(from tree: BoundaryRRT.Tree, count: Int, seed: UInt64) -> [[Float]] {
        var random = SplitMix64(seed: seed)
        var points = tree.accepted
        points.shuffle(using: &random)
        return Array(points.prefix(count))
    }

    /// The two baselines' sample sets (`count` each, centred on the query) and their radii.
    public static func baselines(
        _ exploration: Exploration, query: [Float], count: Int, seed: UInt64
    ) -> (l2: [[Float]], cube: [[Float]], l2Radius: Float, cubeHalfWidth: Float) {
        let radius = EpsilonBallSampling.l2Radius(accepted: exploration.tree.nodes, rejected: exploration.tree.rejected)
        let half = EpsilonBallSampling.cubeHalfWidth(sameVolumeAsBallOfRadius: radius, dimension: query.count)
        return (
            EpsilonBallSampling.l2Ball(centre: query, radius: radius, count: count, seed: seed),
            EpsilonBallSampling.cube(centre: query, halfWidth: half, count: count, seed: seed &+ 1), radius, half
        )
    }
}
