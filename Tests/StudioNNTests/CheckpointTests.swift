import Foundation
import StudioSupport
import StudioTensor
import Testing

@testable import StudioNN

@Suite("Safetensors checkpoints")
struct CheckpointTests {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("studio-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func roundTripRestoresEveryParameterAndBuffer() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        let source = TinyNetwork(seed: 1)
        source.norm.runningMean.value = Tensor(shape: [3], scalars: [0.5, -1, 2])
        try Checkpoint(module: source, metadata: ["step": "42", "config": "{\"preset\":\"quick\"}"]).write(to: path)
        let loaded = try Checkpoint.read(from: path)
        #expect(loaded.metadata == ["step": "42", "config": "{\"preset\":\"quick\"}"])
        let target = TinyNetwork(seed: 2)
        try loaded.load(into: target, path: path)
        for ((name, a), (_, b)) in zip(source.namedParameters(), target.namedParameters()) {
            #expect(a.value.scalars == b.value.scalars, "\(name)")
        }
        #expect(target.norm.runningMean.value.scalars == [0.5, -1, 2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    /// A NaN in any tensor (a diverged run copied in, a flipped byte) is refused on reading, naming
    /// the tensor, so no command renders silence or scores garbage from it.
    @Test func nonFiniteWeightsAreRefused() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nan.safetensors").path
        let network = TinyNetwork(seed: 3)
        let (name, parameter) = network.namedParameters()[0]
        var values = parameter.value.scalars
        values[values.count - 1] = .nan
        parameter.value = Tensor(shape: parameter.value.shape, scalars: values)
        try Checkpoint(module: network).write(to: path)
        #expect {
            try Checkpoint.read(from: path)
        } throws: { error in
            "\(error)".contains(name) && "\(error)".contains("non-finite")
        }
    }

    /// 300 seeded mutations of a real checkpoint (cut, flipped, overwritten, inserted bytes): each
    /// reads and loads, or fails with a CheckpointError; none traps.
    @Test func mutatedCheckpointsGiveErrorsNotCrashes() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.safetensors").path
        try Checkpoint(module: TinyNetwork(seed: 5)).write(to: good)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        var state: UInt64 = 99
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
        var refused = 0
        for index in 0..<300 {
            var bytes = original
            switch index % 3 {
            case 0: bytes = Array(bytes.prefix(next(bytes.count)))
            case 1: for _ in 0..<(1 + next(6)) { bytes[next(bytes.count)] ^= UInt8(1 + next(255)) }
            default: bytes.insert(contentsOf: (0..<(1 + next(32))).map { _ in UInt8(next(256)) }, at: next(bytes.count))
            }
            let path = directory.appendingPathComponent("mutated.safetensors").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                try Checkpoint.read(from: path).load(into: TinyNetwork(seed: 6), path: path)
            } catch is CheckpointError {
                refused += 1
            }
        }
        // Most mutations break the header or the sizes; flips inside the data can pass unnoticed.
        #expect(refused > 150, "only \(refused) of 300 refused")
    }

    /// Python's `safetensors` package reads our files (skipped where it is not installed).
    @Test func pythonSafetensorsReadsOurFiles() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import safetensors"]
        check.standardError = FileHandle.nullDevice
        try? check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { return }
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        try Checkpoint(module: TinyNetwork(seed: 3), metadata: ["step": "7"]).write(to: path)
        let script = """
            import sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework="numpy") as f:
                print(f.metadata()["step"], sorted(f.keys())[0], list(f.get_tensor("conv.weight").shape), float(f.get_tensor("norm.running_var").sum()))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "7 conv.bias [3, 1, 3, 3] 3.0")
    }

    @Test func damagedOrForeignFilesGiveClearErrors() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.safetensors").path
        try Checkpoint(module: TinyNetwork(seed: 4)).write(to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))

        func written(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        // Cut short by a crash.
        let truncated = try written("truncated.safetensors", bytes.prefix(bytes.count - 20))
        // A header that claims 2^60 bytes.
        var absurd = bytes
        absurd.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 60).littleEndian) { Data($0) })
        let hugeHeader = try written("huge.safetensors", absurd)
        // Offsets past the end of the file.
        let badOffsets = try written(
            "offsets.safetensors",
            handMade(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8000000000]}}"#, dataBytes: 8))
        // A shape that does not match its byte range, and two tensors sharing bytes.
        let wrongShape = try written(
            "shape.safetensors",
            handMade(#"{"x":{"dtype":"F32","shape":[1000000],"data_offsets":[0,8]}}"#, dataBytes: 8))
        let overlapping = try written(
            "overlap.safetensors",
            handMade(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                dataBytes: 12))
        let tiny = try written("tiny.safetensors", Data([1, 2, 3]))
        let garbage = try written("garbage.safetensors", Data(repeating: 0x41, count: 100))

        for path in [truncated, hugeHeader, badOffsets, wrongShape, overlapping, tiny, garbage] {
            let error = try #require(throws: CheckpointError.self) { try Checkpoint.read(from: path) }
            guard case .corrupt(let named, _) = error else {
                Issue.record("\(path): expected corrupt, got \(error)")
                continue
            }
            #expect(named == path)
        }
        #expect(throws: CheckpointError.fileNotFound(path: "/no/such.safetensors")) {
            try Checkpoint.read(from: "/no/such.safetensors")
        }
        // Another architecture: names and shapes do not fit, and nothing changes.
        var generator = SplitMix64(seed: 5)
        let other = Linear(inputFeatures: 3, outputFeatures: 2, using: &generator)
        let before = other.weight.value.scalars
        let error = try #require(throws: CheckpointError.self) {
            try Checkpoint.read(from: good).load(into: other, path: good)
        }
        guard case .incompatible = error else {
            Issue.record("expected incompatible, got \(error)")
            return
        }
        #expect(other.weight.value.scalars == before)
    }

    /// A safetensors file from a header and zero data bytes.
    private func handMade(_ header: String, dataBytes: Int) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(Data(repeating: 0, count: dataBytes))
        return out
    }
}
