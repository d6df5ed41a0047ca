import Foundation

/// FNV-1a 64-bit fingerprints: fast, dependency-free checksums for manifests, caches and files
/// (not cryptographic).
public enum Fingerprint {
    /// The fingerprint of raw bytes, as 16 hex digits.
    public static func fnv1a64(bytes: Data) -> String {
        String(format: "%016llx", bytes.withUnsafeBytes { fnv1a64Value($0) })
    }

    /// The fingerprint of raw bytes as a number (for many small fingerprints kept in a set).
    public static func fnv1a64Value(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The fingerprint of a string's UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> String { fnv1a64(bytes: Data(text.utf8)) }

    /// The fingerprint of a file's bytes, or "missing" when it cannot be read.
    public static func ofFile(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { fnv1a64(bytes: $0) } ?? "missing"
    }

    /// A seeded, reproducible choice of a share of items: true for about `fraction` of all keys,
    /// decided by the fingerprint of `"seed|key"` alone (no generator state, so the choice of one
    /// item never depends on which other items exist or their order).
    public static func isChosen(_ key: String, seed: UInt64, fraction: Double) -> Bool {
        if fraction >= 1 { return true }
        if fraction <= 0 { return false }
        let hash = UInt64(fnv1a64("\(seed)|\(key)"), radix: 16) ?? 0
        return Double(hash >> 11) / Double(UInt64(1) << 53) < fraction
    }
}
