import Foundation
import StudioSupport
import StudioTensor

/// Errors reading or writing checkpoints; each names the file and what to do.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file is not a well-formed safetensors file (truncated, corrupt header, bad offsets).
    case corrupt(path: String, reason: String)
    /// The file is well formed but does not fit the model (another architecture or configuration).
    case incompatible(path: String, reason: String)
    /// Writing failed.
    case writeFailed(path: String, reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such checkpoint; check the run folder"
        case .corrupt(let path, let reason):
            return "\(path): not a valid checkpoint (\(reason)); it may have been cut short by a crash: "
                + "resume from the previous checkpoint in the run folder"
        case .incompatible(let path, let reason):
            return "\(path): does not fit this model (\(reason)); was it written by another architecture or preset?"
        case .writeFailed(let path, let reason):
            return "\(path): cannot be written (\(reason)); check free disk space"
        }
    }
}

/// Named float32 tensors and string metadata in the safetensors format: an 8-byte little-endian
/// header length, a JSON header (`{"name": {"dtype": "F32", "shape": [...], "data_offsets": [a, b]},
/// "__metadata__": {...}}`), then the raw little-endian data.
public struct Checkpoint: Sendable {
    /// Tensors by name.
    public var tensors: [String: Tensor]
    /// Free-form string metadata (configuration JSON, step, random generator state).
    public var metadata: [String: String]

    /// A checkpoint of tensors and metadata.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// A checkpoint of a module's parameters and buffers (under their dotted names).
    public init(module: Module, metadata: [String: String] = [:]) {
        var tensors: [String: Tensor] = [:]
        for (name, parameter) in module.namedParameters() { tensors[name] = parameter.value.detached }
        for (name, buffer) in module.namedBuffers() { tensors[name] = buffer.value }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// Largest header accepted: larger claims are treated as corruption, not allocated.
    static let maximumHeaderBytes = 64 << 20

    /// Writes the checkpoint atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            header[name] = [
                "dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + 4 * tensor.count],
            ]
            offset += 4 * tensor.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            let tensor = tensors[name]!
            tensor.withPointer { pointer in
                data.append(UnsafeBufferPointer(start: pointer, count: tensor.count))
            }
        }
        do {
            try AtomicFile.write(data, to: path)
        } catch {
            throw CheckpointError.writeFailed(path: path, reason: "\(error)")
        }
    }

    /// Reads and validates a checkpoint without trusting any size it claims.
    public static func read(from path: String) throws -> Checkpoint {
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError.fileNotFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw CheckpointError.corrupt(path: path, reason: "unreadable: \(error.localizedDescription)")
        }
        guard data.count >= 8 else { throw CheckpointError.corrupt(path: path, reason: "only \(data.count) bytes") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard headerLength <= UInt64(min(maximumHeaderBytes, data.count - 8)) else {
            throw CheckpointError.corrupt(
                path: path, reason: "header claims \(headerLength) bytes, file has \(data.count)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw CheckpointError.corrupt(path: path, reason: "header is not a JSON object")
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = data.count - dataStart
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(Int, Int)] = []
        for (name, entry) in header {
            if name == "__metadata__" {
                guard let values = entry as? [String: String] else {
                    throw CheckpointError.corrupt(path: path, reason: "__metadata__ is not a string map")
                }
                metadata = values
                continue
            }
            guard let fields = entry as? [String: Any], let dtype = fields["dtype"] as? String,
                let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                offsets.count == 2
            else {
                throw CheckpointError.corrupt(path: path, reason: "entry \(name) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else {
                throw CheckpointError.incompatible(
                    path: path, reason: "\(name) has dtype \(dtype); only F32 is supported")
            }
            guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
                throw CheckpointError.corrupt(path: path, reason: "\(name) has an impossible shape \(shape)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard begin >= 0, end >= begin, end <= dataSize else {
                throw CheckpointError.corrupt(
                    path: path, reason: "\(name) lies at bytes \(begin)..<\(end), past the \(dataSize) data bytes")
            }
            guard elements < Int.max / 4, end - begin == 4 * elements else {
                throw CheckpointError.corrupt(path: path, reason: "\(name) has shape \(shape) but \(end - begin) bytes")
            }
            ranges.append((begin, end))
            let storage = TensorStorage(uninitializedCount: elements)
            data.withUnsafeBytes { raw in
                let source = raw.baseAddress! + dataStart + begin
                UnsafeMutableRawPointer(storage.pointer).copyMemory(from: source, byteCount: end - begin)
            }
            // NaN or infinite weights would render silence and score as anything: refuse them here.
            if let bad = UnsafeBufferPointer(start: storage.pointer, count: elements).firstIndex(where: { !$0.isFinite }
            ) {
                throw CheckpointError.corrupt(
                    path: path, reason: "\(name) holds a non-finite value (NaN or infinity) at element \(bad)")
            }
            tensors[name] = Tensor(shape: shape, storage: storage)
        }
        ranges.sort { $0.0 < $1.0 }
        for (first, second) in zip(ranges, ranges.dropFirst()) where second.0 < first.1 {
            throw CheckpointError.corrupt(path: path, reason: "tensor data ranges overlap")
        }
        return Checkpoint(tensors: tensors, metadata: metadata)
    }

    /// Copies the tensors into a module's parameters and buffers, checking every name and shape first
    /// (nothing changes unless everything fits).
    public func load(into module: Module, path: String = "checkpoint") throws {
        let parameters = module.namedParameters()
        let buffers = module.namedBuffers()
        let expected = Set(parameters.map(\.0) + buffers.map(\.0))
        let missing = expected.subtracting(tensors.keys).sorted()
        let unexpected = Set(tensors.keys).subtracting(expected).sorted()
        guard missing.isEmpty, unexpected.isEmpty else {
            throw CheckpointError.incompatible(
                path: path,
                reason:
                    "missing \(missing.prefix(5).joined(separator: ", ")); unexpected \(unexpected.prefix(5).joined(separator: ", "))"
            )
        }
        for (name, parameter) in parameters where tensors[name]!.shape != parameter.value.shape {
            throw CheckpointError.incompatible(
                path: path,
                reason: "\(name) has shape \(tensors[name]!.shape), the model needs \(parameter.value.shape)")
        }
        for (name, buffer) in buffers where tensors[name]!.shape != buffer.value.shape {
            throw CheckpointError.incompatible(
                path: path, reason: "\(name) has shape \(tensors[name]!.shape), the model needs \(buffer.value.shape)")
        }
        for (name, parameter) in parameters { parameter.value = tensors[name]! }
        for (name, buffer) in buffers { buffer.value = tensors[name]! }
    }
}
