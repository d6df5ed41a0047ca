import StudioSupport
import StudioTensor

/// GB-RRT (the E-GBAS paper's Algorithm 2): a rapidly-exploring random tree in latent space that
/// grows only inside a generative region. Each iteration draws `z ~ U(z0 - I, z0 + I)`, steps
/// `delta` from the nearest tree node towards it, and keeps the new point when it lies inside the
/// region and no tree node is closer than `delta`.
///
/// Choices where the paper is silent: the new point is exactly `delta` from its parent, so the
/// paper's "farther than delta from the tree" is read as "no node closer than delta" (with a 1e-4
/// relative tolerance); proposals are drawn `batchSize` at a time against the tree as it stands
/// and the region test runs on the batch in one generator call (`f_{l:1}` only), then they are
/// accepted in order, each checked against every node accepted so far.
public struct BoundaryRRT: Sendable {
    /// The sampling interval I (half-width of the box around the query).
    public var interval: Float = 2
    /// The step size delta.
    public var stepSize: Float = 0.5
    /// The number of iterations N (proposals).
    public var iterations = 512
    /// Proposals tested per generator call.
    public var batchSize = 64

    /// GB-RRT with the defaults above.
    public init() {}

    /// The grown tree.
    public struct Tree: Sendable {
        /// Node latents; node 0 is the query.
        public var nodes: [[Float]]
        /// The parent of every node (-1 for the query).
        public var parents: [Int]
        /// Proposals that fell outside the region.
        public var rejected: [[Float]]
        /// Proposals inside the region but closer than delta to the tree.
        public var crowded = 0
        /// Points passed through `f_{l:1}` for the region test.
        public var evaluations = 0

        /// Accepted samples (every node but the query).
        public var accepted: [[Float]] { Array(nodes.dropFirst()) }
    }

    /// Grows a tree from `z0 [1, D_z]` inside `region`.
    public func explore(
        generator: any LayeredGenerator, query z0: Tensor, region: GenerativeRegion, seed: UInt64
    ) throws -> Tree {
        try generator.validate(layer: region.layer)
        let width = generator.latentFeatures
        guard z0.shape == [1, width] else { throw ExploreError.queryWidth(got: z0.count, expected: width) }
        guard interval > 0, stepSize > 0, iterations >= 0, batchSize > 0 else {
            throw ExploreError.invalidSetting(
                name: "GB-RRT settings", value: "I \(interval), delta \(stepSize), batch \(batchSize)",
                expected: "I > 0, delta > 0, batch > 0")
        }
        let query = z0.scalars
        var tree = Tree(nodes: [query], parents: [-1], rejected: [])
        var random = SplitMix64(seed: seed)
        var done = 0
        let tolerance = stepSize * (1 - 1e-4)
        while done < iterations {
            let count = min(batchSize, iterations - done)
            var proposals = [[Float]]()
            var parents = [Int]()
            for _ in 0..<count {
                let target = query.map { $0 + interval * (2 * random.nextUnitFloat() - 1) }
                let (parent, distance) = Self.nearest(tree.nodes, to: target)
                let scale = distance > 0 ? stepSize / distance : 0
                proposals.append(zip(tree.nodes[parent], target).map { q, z in q + (z - q) * scale })
                parents.append(parent)
            }
            let inside = region.contains(
                generator.preActivations(
                    Tensor(shape: [count, width], scalars: proposals.flatMap { $0 }), layer: region.layer))
            tree.evaluations += count
            for (index, point) in proposals.enumerated() {
                guard inside[index] else {
                    tree.rejected.append(point)
                    continue
                }
                guard Self.nearest(tree.nodes, to: point).distance >= tolerance else {
                    tree.crowded += 1
                    continue
                }
                tree.nodes.append(point)
                tree.parents.append(parents[index])
            }
            done += count
        }
        return tree
    }

    /// The index of the node nearest to `point` (Euclidean) and its distance.
    public static func nearest(_ nodes: [[Float]], to point: [Float]) -> (index: Int, distance: Float) {
        var best = (index: 0, squared: Float.infinity)
        for (index, node) in nodes.enumerated() {
            var sum: Float = 0
            for (a, b) in zip(node, point) { sum += (a - b) * (a - b) }
            if sum < best.squared { best = (index, sum) }
        }
        return (best.index, best.squared.squareRoot())
    }
}
