import Foundation
import Testing

/// Paths and known answers shared by the audio tests.
enum Fixtures {
    /// The repository root (three levels above this file).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A path below `Corpora/`.
    static func corpus(_ relative: String) -> String {
        root.appendingPathComponent("Corpora").appendingPathComponent(relative).path
    }

    /// A JSON fixture from `Corpora/reference/librosa/` (made by `Corpora/scripts/make_librosa_refs.py`).
    static func librosa(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus("reference/librosa/\(name)")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A fresh temporary folder for one test.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("studio-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension Dictionary where Key == String, Value == Any {
    func floats(_ key: String) throws -> [Float] {
        try #require(self[key] as? [Double], "fixture has no float array \(key)").map { Float($0) }
    }
    func int(_ key: String) throws -> Int { try #require(self[key] as? Int, "fixture has no int \(key)") }
    func double(_ key: String) throws -> Double { try #require(self[key] as? Double, "fixture has no number \(key)") }
}

/// Expects `|actual - expected| <= atol + rtol * |expected|` elementwise (numpy `allclose`), and
/// reports the worst element.
func expectAllClose(
    _ actual: [Float], _ expected: [Float], rtol: Float = 0, atol: Float,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.count == expected.count, "\(what): count \(actual.count) != \(expected.count)",
        sourceLocation: sourceLocation)
    var worst: (index: Int, excess: Float) = (-1, 0)
    for index in 0..<min(actual.count, expected.count) {
        let excess = abs(actual[index] - expected[index]) - (atol + rtol * abs(expected[index]))
        if !(excess <= worst.excess) && (excess > 0 || excess.isNaN) {
            worst = (index, excess.isNaN ? .infinity : excess)
        }
    }
    if worst.index >= 0 {
        Issue.record(
            "\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index]) (atol \(atol), rtol \(rtol))",
            sourceLocation: sourceLocation)
    }
}

/// A sine wave.
func sine(frequency: Double, sampleRate: Int, count: Int, amplitude: Float = 0.5) -> [Float] {
    (0..<count).map { amplitude * Float(sin(2 * Double.pi * frequency * Double($0) / Double(sampleRate))) }
}
