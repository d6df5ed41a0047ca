import Foundation
import StudioClassifiers
import StudioImage
import Testing

@testable import StudioPipelines

/// Nothing an evaluation uses steers training: the same run with another judge and other held-out
/// data selects the same iteration and writes the same generator, byte for byte. (The pitch
/// classifier and the judge panel live in `studio evaluate` alone and are never handed to training.)
@Suite("Training run: the judge and the held-out data never steer it", .serialized)
struct TrainingRunTests {
    /// Three classes of 32x32 grey pictures (dark, middle, bright, with noise); `testShift` moves the
    /// held-out pictures' levels so that the held-out split differs while the training split does not.
    static func makeData(at root: URL, testShift: Int) throws {
        var state: UInt64 = 21
        func noise() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 59)
        }
        for (split, count) in [("train", 8), ("test", 3)] {
            for (name, level) in [("dark", 40), ("middle", 120), ("bright", 180)] {
                let folder = root.appendingPathComponent("\(split)/\(name)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for index in 0..<count {
                    var image = RGBImage(width: 32, height: 32)
                    for y in 0..<32 {
                        for x in 0..<32 {
                            let value = UInt8(level + noise() + (split == "test" ? testShift : 0))
                            image[x, y] = RGB(value, value, value)
                        }
                    }
                    try PNGFile.write(image, to: folder.appendingPathComponent("\(index).png").path)
                }
            }
        }
    }

    @Test func anotherJudgeAndOtherHeldOutDataChangeNothingTrained() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("studio-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (dataA, dataB) = (folder.appendingPathComponent("a"), folder.appendingPathComponent("b"))
        try Self.makeData(at: dataA, testShift: 0)
        try Self.makeData(at: dataB, testShift: 30)
        let train = try ClassifierPipelines.data(.pngFolders(folder: dataA.path), cacheFolder: folder.path).train
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = 1
        func classifier(_ name: String, _ architecture: ClassifierArchitecture, seed: UInt64) throws -> String {
            configuration.seed = seed
            let path = folder.appendingPathComponent("\(name).safetensors").path
            _ = try ClassifierPipelines.train(
                data: train, architecture: architecture, widths: [4, 8], configuration: configuration, checkpoint: path
            ) { _, _, _ in }
            return path
        }
        let probed = try classifier("probed", .residual, seed: 0)
        let judges = [try classifier("judge-1", .vgg, seed: 1), try classifier("judge-2", .plain, seed: 2)]
        let hooks = TrainingHooks(log: { _ in }, progress: { _, _, _, _, _ in }, shouldStop: { false })
        var runs = [(summary: RunSummary, generator: Data)]()
        for (data, judge) in zip([dataA, dataB], judges) {
            let run = folder.appendingPathComponent("run-\(runs.count)").path
            var request = TrainingRequest(
                source: .pngFolders(folder: data.path), cacheFolder: folder.path, unseen: ["middle"], runFolder: run)
            request.classifier = .path(probed)
            request.judgePath = judge
            request.iterations = 4
            request.evaluateEvery = 1
            request.batchSize = 6
            request.channelBase = 2
            request.evaluationSamples = 4
            request.summarySamples = 6
            let summary = try TrainingRun.run(request, resume: false, hooks: hooks)
            runs.append((summary, try Data(contentsOf: URL(fileURLWithPath: RunFolder(run).bestGenerator))))
        }
        #expect(runs[0].summary.selectedIteration == runs[1].summary.selectedIteration)
        #expect(runs[0].generator == runs[1].generator, "the selected generators differ")
        // The evaluations did see two different judges and two different held-out splits.
        let distances = runs.map { $0.summary.classes.values.compactMap(\.frechetDistance).sorted() }
        #expect(distances[0] != distances[1])
    }
}
