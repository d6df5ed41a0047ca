import Foundation
import StudioImage
import Testing

@testable import StudioCorpus

@Suite("Image datasets and their target absence")
struct ImageDatasetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("studio-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The first 20 Fashion-MNIST test images, committed as IDX (MIT licence, from Debian's
    /// dataset-fashion-mnist), under the file names the loader expects.
    private func fixtureFolder() throws -> URL {
        let url = try folder()
        for (source, target) in [
            ("images-idx3", "t10k-images-idx3-ubyte.gz"), ("labels-idx1", "t10k-labels-idx1-ubyte.gz"),
        ] {
            try FileManager.default.copyItem(
                atPath: Self.root.appendingPathComponent("Corpora/images/fashion-mnist-t10k-20-\(source)-ubyte.gz")
                    .path,
                toPath: url.appendingPathComponent(target).path)
        }
        return url
    }

    @Test func fashionMNISTLoadsPadsAndRemovesClasses() throws {
        let url = try fixtureFolder()
        defer { try? FileManager.default.removeItem(at: url) }
        let raw = try FashionMNIST.load(folder: url.path, train: false, padTo32: false)
        #expect(raw.count == 20 && raw.height == 28 && raw.width == 28 && raw.channels == 1)
        #expect(Array(raw.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(raw.pixels.allSatisfy { $0 >= -1 && $0 <= 1 } && raw.pixels.contains { $0 > 0.9 })
        let padded = try FashionMNIST.load(folder: url.path, train: false)
        #expect(padded.height == 32 && padded.pixels.count == 20 * 32 * 32)
        #expect(padded.pixels[0] == -1)
        let withoutTrousers = try padded.removingClasses(["trouser", "ankle-boot"])
        #expect(!withoutTrousers.labels.contains(1) && !withoutTrousers.labels.contains(9))
        #expect(withoutTrousers.count == 20 - raw.labels.filter { $0 == 1 || $0 == 9 }.count)
        #expect(withoutTrousers.pixels.count == withoutTrousers.count * 32 * 32)
        #expect(throws: CorpusError.self) { try padded.removingClasses(["trousers"]) }
    }

    @Test func corruptOrMissingIDXFilesAreNamed() throws {
        let url = try fixtureFolder()
        defer { try? FileManager.default.removeItem(at: url) }
        let images = url.appendingPathComponent("t10k-images-idx3-ubyte.gz").path
        let bytes = try FashionMNIST.gunzip(images)
        // Truncated: the header promises 20 images.
        try Data(bytes.prefix(5000)).write(to: URL(fileURLWithPath: images))
        let truncated = try #require(throws: ImageDatasetError.self) {
            try FashionMNIST.load(folder: url.path, train: false)
        }
        #expect(truncated.description.contains(images) && truncated.description.contains("promises"))
        // Wrong magic number.
        try Data([0, 0, 9, 9] + bytes.dropFirst(4)).write(to: URL(fileURLWithPath: images))
        #expect(throws: ImageDatasetError.self) { try FashionMNIST.load(folder: url.path, train: false) }
        // The training files are not in this folder.
        let missing = try #require(throws: ImageDatasetError.self) {
            try FashionMNIST.load(folder: url.path, train: true)
        }
        #expect(missing.description.contains("dataset-fashion-mnist"))
    }

    @Test func cifarBatchesAndAMissingBatch() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        var record = Data([3])
        record.append(Data(repeating: 255, count: 3072))
        try (record + record).write(to: url.appendingPathComponent("test_batch.bin"))
        let test = try CIFAR10.load(folder: url.path, train: false)
        #expect(
            test.count == 2 && test.labels == [3, 3] && test.classNames[3] == "cat"
                && test.pixels.allSatisfy { $0 == 1 })
        let error = try #require(throws: ImageDatasetError.self) { try CIFAR10.load(folder: url.path, train: true) }
        #expect(error.description.contains("data_batch_1.bin"))
        try Data(repeating: 0, count: 100).write(to: url.appendingPathComponent("test_batch.bin"))
        #expect(throws: ImageDatasetError.self) { try CIFAR10.load(folder: url.path, train: false) }
    }

    @Test func pngClassFolders() throws {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        for (name, value) in [("cats", UInt8(0)), ("dogs", UInt8(255))] {
            try FileManager.default.createDirectory(
                at: url.appendingPathComponent(name), withIntermediateDirectories: true)
            try PNGFile.write(
                RGBImage(width: 4, height: 3, fill: RGB(value, value, value)),
                to: url.appendingPathComponent("\(name)/a.png").path)
        }
        let dataset = try PNGClassFolder.load(folder: url.path, grayscale: true)
        #expect(
            dataset.classNames == ["cats", "dogs"] && dataset.labels == [0, 1] && dataset.width == 4
                && dataset.height == 3)
        #expect(dataset.pixels.prefix(12).allSatisfy { $0 == -1 } && dataset.pixels.suffix(12).allSatisfy { $0 == 1 })
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        #expect(throws: CorpusError.self) { try PNGClassFolder.load(folder: url.path) }
    }
}
