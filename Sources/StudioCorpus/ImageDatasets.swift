import CZlib
import Foundation
import StudioImage

/// Labelled images in [-1, 1], `[N, C, H, W]` row-major, with class names.
public struct ImageDataset: Sendable {
    /// Pixels, `count * channels * height * width`, mapped from [0, 255] to [-1, 1].
    public var pixels: [Float]
    /// Class index of each image.
    public var labels: [Int]
    /// Class names, indexed by label.
    public let classNames: [String]
    /// Image layout.
    public let channels: Int, height: Int, width: Int

    /// Number of images.
    public var count: Int { labels.count }

    /// The dataset without the images of the `unseen` classes: the GAN's real data in image mode.
    /// - Throws: `CorpusError.unknownClasses` for names the dataset lacks.
    public func removingClasses(_ unseen: [String]) throws -> ImageDataset {
        let unknown = unseen.filter { !classNames.contains($0) }
        if !unknown.isEmpty { throw CorpusError.unknownClasses(names: unknown, available: classNames) }
        let removed = Set(unseen.compactMap { classNames.firstIndex(of: $0) })
        let size = channels * height * width
        var kept = ImageDataset(
            pixels: [], labels: [], classNames: classNames, channels: channels, height: height, width: width)
        for (index, label) in labels.enumerated() where !removed.contains(label) {
            kept.labels.append(label)
            kept.pixels.append(contentsOf: pixels[(index * size)..<((index + 1) * size)])
        }
        return kept
    }

    /// Zero-pads (in [-1, 1] units: pads with -1, black) every image to `side` x `side`, centred.
    public func padded(to side: Int) -> ImageDataset {
        guard side > height || side > width else { return self }
        let top = (side - height) / 2
        let left = (side - width) / 2
        var out = [Float](repeating: -1, count: count * channels * side * side)
        for image in 0..<count {
            for channel in 0..<channels {
                for y in 0..<height {
                    for x in 0..<width {
                        out[((image * channels + channel) * side + y + top) * side + x + left] =
                            pixels[((image * channels + channel) * height + y) * width + x]
                    }
                }
            }
        }
        return ImageDataset(
            pixels: out, labels: labels, classNames: classNames, channels: channels, height: side, width: side)
    }
}

/// Errors reading image datasets.
public enum ImageDatasetError: Error, Equatable, CustomStringConvertible {
    /// A file is missing.
    case missingFile(path: String, hint: String)
    /// A file is corrupt (bad magic number, sizes that do not add up, truncated data).
    case corrupt(path: String, reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .missingFile(let path, let hint): return "\(path): missing; \(hint)"
        case .corrupt(let path, let reason): return "\(path): corrupt (\(reason)); download it again"
        }
    }
}

/// Fashion-MNIST in its IDX format (gzipped or not), as Debian's `dataset-fashion-mnist` ships it.
public enum FashionMNIST {
    /// Where Debian installs it.
    public static let defaultFolder = "/usr/share/datasets/fashion-mnist"
    /// The ten classes.
    public static let classNames = [
        "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot",
    ]

    /// The side of a Fashion-MNIST picture, and of the padded pictures the models take.
    public static let pictureSide = 28, paddedSide = 32
    /// The black frame padding puts around each picture: effects and detectors of experiments
    /// leave it alone, since no real picture has anything there.
    public static var paddingMargin: Int { (paddedSide - pictureSide) / 2 }

    /// Loads the training (60,000) or test (10,000) split, optionally padded to 32 x 32.
    public static func load(folder: String = defaultFolder, train: Bool, padTo32: Bool = true) throws -> ImageDataset {
        let prefix = train ? "train" : "t10k"
        let images = try readIDX(find(folder, "\(prefix)-images-idx3-ubyte"), expectedMagic: 2051)
        let labels = try readIDX(find(folder, "\(prefix)-labels-idx1-ubyte"), expectedMagic: 2049)
        guard images.dimensions.count == 3, labels.dimensions.count == 1, images.dimensions[0] == labels.dimensions[0]
        else {
            throw ImageDatasetError.corrupt(
                path: folder, reason: "images \(images.dimensions) do not match labels \(labels.dimensions)")
        }
        let classLabels = labels.bytes.map(Int.init)
        if let bad = classLabels.first(where: { $0 >= classNames.count }) {
            throw ImageDatasetError.corrupt(path: folder, reason: "label \(bad) outside 0..<10")
        }
        let dataset = ImageDataset(
            pixels: images.bytes.map { Float($0) / 127.5 - 1 }, labels: classLabels, classNames: classNames,
            channels: 1,
            height: images.dimensions[1], width: images.dimensions[2])
        return padTo32 ? dataset.padded(to: paddedSide) : dataset
    }

    private static func find(_ folder: String, _ stem: String) throws -> String {
        for candidate in [stem + ".gz", stem] where FileManager.default.fileExists(atPath: folder + "/" + candidate) {
            return folder + "/" + candidate
        }
        throw ImageDatasetError.missingFile(
            path: folder + "/" + stem + ".gz",
            hint: "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
    }

    /// Reads an IDX file: magic number, dimensions, unsigned bytes; every size is checked against the
    /// data actually present before anything is allocated for it.
    static func readIDX(_ path: String, expectedMagic: UInt32) throws -> (dimensions: [Int], bytes: [UInt8]) {
        let data = try gunzip(path)
        guard data.count >= 8 else { throw ImageDatasetError.corrupt(path: path, reason: "only \(data.count) bytes") }
        func word(_ offset: Int) -> UInt32 { data[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        let magic = word(0)
        guard magic == expectedMagic else {
            throw ImageDatasetError.corrupt(path: path, reason: "magic number \(magic), expected \(expectedMagic)")
        }
        let rank = Int(magic & 0xFF)
        guard data.count >= 4 + 4 * rank else {
            throw ImageDatasetError.corrupt(path: path, reason: "header cut short")
        }
        let dimensions = (0..<rank).map { Int(word(4 + 4 * $0)) }
        let expected = dimensions.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let available = data.count - 4 - 4 * rank
        guard expected == available else {
            throw ImageDatasetError.corrupt(
                path: path, reason: "header promises \(dimensions) = \(expected) bytes, file holds \(available)")
        }
        return (dimensions, Array(data[(4 + 4 * rank)...]))
    }

    /// The file's bytes, decompressed if gzipped (zlib reads plain files unchanged).
    static func gunzip(_ path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw ImageDatasetError.missingFile(path: path, hint: "check the path")
        }
        defer { gzclose(file) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 { throw ImageDatasetError.corrupt(path: path, reason: "gzip stream is damaged") }
            if read == 0 { break }
            out.append(contentsOf: chunk.prefix(Int(read)))
        }
        var errorCode: Int32 = 0
        _ = gzerror(file, &errorCode)
        if errorCode != Z_OK && errorCode != Z_STREAM_END {
            throw ImageDatasetError.corrupt(path: path, reason: "gzip stream is damaged (zlib error \(errorCode))")
        }
        return out
    }
}

/// CIFAR-10 in its binary format (`data_batch_1.bin` ... `data_batch_5.bin`, `test_batch.bin`,
/// `batches.meta.txt`), from a folder the user supplies.
public enum CIFAR10 {
    /// Loads the training (50,000) or test (10,000) split.
    public static func load(folder: String, train: Bool) throws -> ImageDataset {
        let names = train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        let metaPath = folder + "/batches.meta.txt"
        let classNames =
            (try? String(contentsOfFile: metaPath, encoding: .utf8))?.split(whereSeparator: \.isNewline).map(
                String.init
            )
            .filter { !$0.isEmpty } ?? [
                "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
            ]
        var pixels = [Float]()
        var labels = [Int]()
        let record = 1 + 3072
        for name in names {
            let path = folder + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ImageDatasetError.missingFile(
                    path: path, hint: "a CIFAR-10 binary folder holds data_batch_1..5.bin and test_batch.bin")
            }
            guard data.count % record == 0, !data.isEmpty else {
                throw ImageDatasetError.corrupt(
                    path: path, reason: "\(data.count) bytes is not a whole number of \(record)-byte records")
            }
            for start in stride(from: 0, to: data.count, by: record) {
                let label = Int(data[start])
                guard label < classNames.count else {
                    throw ImageDatasetError.corrupt(path: path, reason: "label \(label)")
                }
                labels.append(label)
                pixels.append(contentsOf: data[(start + 1)..<(start + record)].map { Float($0) / 127.5 - 1 })
            }
        }
        return ImageDataset(pixels: pixels, labels: labels, classNames: classNames, channels: 3, height: 32, width: 32)
    }
}

/// A folder with one sub-folder of PNG images per class; all images must share one size.
public enum PNGClassFolder {
    /// Loads every PNG, as RGB, or as one channel when `grayscale`.
    public static func load(folder: String, grayscale: Bool = false) throws -> ImageDataset {
        let classes = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { name in
            var directory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &directory)
                && directory.boolValue
        }.sorted()
        guard !classes.isEmpty else { throw CorpusError.noClasses(path: folder) }
        var pixels = [Float]()
        var labels = [Int]()
        var size: (Int, Int)?
        for (label, name) in classes.enumerated() {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + name)) ?? [])
                .filter { $0.lowercased().hasSuffix(".png") }.sorted()
            if files.isEmpty { throw CorpusError.emptyClass(name: name, path: folder + "/" + name) }
            for file in files {
                let path = folder + "/" + name + "/" + file
                let image = try PNGFile.read(path)
                if let size, size != (image.width, image.height) {
                    throw ImageDatasetError.corrupt(
                        path: path, reason: "\(image.width)x\(image.height), others are \(size.0)x\(size.1)")
                }
                size = (image.width, image.height)
                let plane = image.width * image.height
                if grayscale {
                    pixels += (0..<plane).map { index in
                        let sum =
                            Float(image.pixels[3 * index]) + Float(image.pixels[3 * index + 1])
                            + Float(image.pixels[3 * index + 2])
                        return sum / (3 * 127.5) - 1
                    }
                } else {
                    for channel in 0..<3 {
                        pixels += (0..<plane).map { Float(image.pixels[3 * $0 + channel]) / 127.5 - 1 }
                    }
                }
                labels.append(label)
            }
        }
        return ImageDataset(
            pixels: pixels, labels: labels, classNames: classes, channels: grayscale ? 1 : 3, height: size!.1,
            width: size!.0)
    }
}
