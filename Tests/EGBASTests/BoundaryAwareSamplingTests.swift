import EGBAS
import Foundation
import StudioTensor
import Testing

@Suite("E-GBAS on a network whose region is a known polygon")
struct BoundaryAwareSamplingTests {
    let network = PolygonNetwork.pentagon
    let origin = Tensor(shape: [1, 2], scalars: [0, 0])

    @Test func berOptWithoutSparsityKeepsEveryUnit() throws {
        var optimization = BernoulliMaskOptimization()
        optimization.sparsityWeight = 0
        let result = try optimization.optimize(generator: network, query: origin, layer: 0, seed: 1)
        #expect(result.kept == Array(repeating: true, count: 5))
        #expect(result.region.indicator == [1, 1, 1, 1, 1])
        #expect(result.keptOutputDistance == 0)
    }

    @Test func berOptWithLargeSparsityKeepsFew() throws {
        var optimization = BernoulliMaskOptimization()
        optimization.sparsityWeight = 200
        let result = try optimization.optimize(generator: network, query: origin, layer: 0, seed: 1)
        #expect(result.region.boundaryCount <= 1)
        #expect(result.losses.last! < result.losses.first!)
    }

    @Test func moderateSparsityDropsOnlyTheUnitThatBarelyMatters() throws {
        // Dropping unit 0 moves the output by an RMS of 0.008 and saves lambda / 5 = 0.2; dropping
        // any other unit costs at least 1.29.
        var optimization = BernoulliMaskOptimization()
        optimization.sparsityWeight = 1
        let result = try optimization.optimize(generator: network, query: origin, layer: 0, seed: 2)
        #expect(result.kept == [false, true, true, true, true])
        #expect(result.region.indicator == [0, 1, 1, 1, 1])
        #expect(result.keptOutputDistance < 0.01)
    }

    @Test func everyTreeNodeLiesInsideThePolygonAndTheTreeCoversIt() throws {
        let region = GenerativeRegion(layer: 0, indicator: [1, 1, 1, 1, 1])
        var rrt = BoundaryRRT()
        rrt.interval = 2
        rrt.stepSize = 0.05
        rrt.iterations = 4000
        let tree = try rrt.explore(generator: network, query: origin, region: region, seed: 3)
        #expect(tree.nodes.allSatisfy(network.contains))
        #expect(tree.rejected.allSatisfy { !network.contains($0) })
        #expect(!tree.rejected.isEmpty)
        #expect(tree.evaluations == 4000)
        // Every 0.25 x 0.25 cell of the square that lies wholly inside the pentagon holds a node.
        for i in 0..<8 {
            for j in 0..<8 {
                let low = (Float(i) * 0.25 - 1, Float(j) * 0.25 - 1)
                let corners = [
                    [low.0, low.1], [low.0 + 0.25, low.1], [low.0, low.1 + 0.25], [low.0 + 0.25, low.1 + 0.25],
                ]
                guard corners.allSatisfy(network.contains) else { continue }
                let covered = tree.nodes.contains { node in
                    node[0] >= low.0 && node[0] <= low.0 + 0.25 && node[1] >= low.1 && node[1] <= low.1 + 0.25
                }
                #expect(covered, "cell at \(low) has no node")
            }
        }
        // Steps are exactly delta from the parent, and no two nodes are closer than delta.
        for (index, parent) in tree.parents.enumerated() where parent >= 0 {
            let step = zip(tree.nodes[index], tree.nodes[parent]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            #expect(abs(step.squareRoot() - 0.05) < 1e-4)
        }
    }

    @Test func theCutCornerIsNeverEntered() throws {
        let region = GenerativeRegion(layer: 0, indicator: [1, 1, 1, 1, 1])
        var rrt = BoundaryRRT()
        rrt.interval = 2
        rrt.stepSize = 0.05
        rrt.iterations = 3000
        let tree = try rrt.explore(generator: network, query: origin, region: region, seed: 4)
        #expect(!tree.nodes.contains { $0[0] + $0[1] > 1.5 + 1e-5 })
        // Dropping the cut unit from the region lets the tree into the corner.
        let square = GenerativeRegion(layer: 0, indicator: [1, 1, 1, 1, 0])
        let wider = try rrt.explore(generator: network, query: origin, region: square, seed: 4)
        #expect(wider.nodes.contains { $0[0] + $0[1] > 1.6 })
    }

    @Test func regionMembershipFollowsTheIndicatorSigns() {
        let region = GenerativeRegion(layer: 0, preActivation: [2, -1, 0.5], kept: [true, true, false])
        #expect(region.indicator == [1, -1, 0])
        let rows = Tensor(shape: [3, 3], scalars: [1, -2, -9, 1, 3, 9, -1, -1, 0])
        #expect(region.contains(rows) == [true, false, false])
    }

    @Test func aLayerThatDoesNotExistIsAClearError() {
        #expect(throws: ExploreError.unknownLayer(3, names: ["hidden"])) {
            try BernoulliMaskOptimization().optimize(generator: network, query: origin, layer: 3, seed: 0)
        }
    }
}

@Suite("Epsilon-ball baselines and the paper's metrics")
struct EpsilonBallAndMetricsTests {
    @Test func radiusIsTheMidpointOfRejectedDistancesFromTheAcceptedMean() {
        let radius = EpsilonBallSampling.l2Radius(
            accepted: [[0, 0], [2, 0]], rejected: [[1, 3], [1, -5], [4, 0]])
        // z_avg = (1, 0): rejected distances 3, 5, 3 -> (3 + 5) / 2.
        #expect(radius == 4)
        #expect(EpsilonBallSampling.l2Radius(accepted: [[0, 0], [2, 0]], rejected: []) == 1)
    }

    @Test func theCubeHasTheBallsVolume() {
        // d = 1: a segment of the same length; d = 2: (2a)^2 = pi r^2.
        #expect(abs(EpsilonBallSampling.cubeHalfWidth(sameVolumeAsBallOfRadius: 3, dimension: 1) - 3) < 1e-5)
        let a = EpsilonBallSampling.cubeHalfWidth(sameVolumeAsBallOfRadius: 2, dimension: 2)
        #expect(abs(4 * a * a - Float.pi * 4) < 1e-4)
        // d = 3: (2a)^3 = 4/3 pi r^3.
        let b = EpsilonBallSampling.cubeHalfWidth(sameVolumeAsBallOfRadius: 1, dimension: 3)
        #expect(abs(8 * b * b * b - 4 / 3 * Float.pi) < 1e-4)
    }

    @Test func ballSamplesStayInsideAndFillTheBall() {
        let points = EpsilonBallSampling.l2Ball(centre: [1, 1, 1, 1], radius: 2, count: 2000, seed: 5)
        let radii = points.map { p in p.map { ($0 - 1) * ($0 - 1) }.reduce(0, +).squareRoot() }
        #expect(radii.allSatisfy { $0 <= 2 + 1e-5 })
        // Uniform in a 4-ball: P(r < 2 * 0.5^(1/4)) = 1/2.
        let inner = radii.filter { $0 < 2 * Float(pow(0.5, 0.25)) }.count
        #expect(abs(Double(inner) / 2000 - 0.5) < 0.05)
        let cube = EpsilonBallSampling.cube(centre: [0, 0], halfWidth: 0.5, count: 500, seed: 6)
        #expect(cube.allSatisfy { abs($0[0]) <= 0.5 && abs($0[1]) <= 0.5 })
    }

    @Test func standardDeviationOfKnownSets() {
        #expect(ExplorationMetrics.outputStandardDeviation(Tensor(shape: [3, 2], scalars: [1, 2, 1, 2, 1, 2])) == 0)
        // Columns {0, 2} and {1, 1}: variances 1 and 0, mean 0.5.
        let value = ExplorationMetrics.outputStandardDeviation(Tensor(shape: [2, 2], scalars: [0, 1, 2, 1]))
        #expect(abs(value - Float(0.5).squareRoot()) < 1e-6)
    }

    @Test func cosineSimilarityPerLayer() {
        let layers: (Tensor) -> [Tensor] = { x in [x, x.relu()] }
        let query = Tensor(shape: [1, 2], scalars: [1, 0])
        let samples = Tensor(shape: [2, 2], scalars: [1, 0, -1, 1])
        let similarity = ExplorationMetrics.featureSimilarity(samples: samples, query: query, layers: layers)
        // Layer 1: cos = 1 and -1/sqrt(2); layer 2 (ReLU): (1, 0) and (0, 1) -> 1 and 0.
        #expect(abs(similarity[0] - (1 - 1 / Float(2).squareRoot()) / 2) < 1e-6)
        #expect(abs(similarity[1] - 0.5) < 1e-6)
    }
}
