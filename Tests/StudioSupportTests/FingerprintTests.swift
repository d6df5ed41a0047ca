import Foundation
import StudioSupport
import Testing

@Suite("Fingerprint")
struct FingerprintTests {
    @Test func fnv1aKnownAnswers() {
        // The published FNV-1a 64-bit test vectors.
        #expect(Fingerprint.fnv1a64("") == "cbf29ce484222325")
        #expect(Fingerprint.fnv1a64("a") == "af63dc4c8601ec8c")
        #expect(Fingerprint.fnv1a64("foobar") == "85944171f73967e8")
    }

    @Test func fileFingerprintIsThatOfItsBytes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fingerprint-\(UUID()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Fingerprint.ofFile(path) == "missing")
        try Data("foobar".utf8).write(to: URL(fileURLWithPath: path))
        #expect(Fingerprint.ofFile(path) == "85944171f73967e8")
    }

    @Test func chosenShareFollowsTheFraction() {
        let keys = (0..<20_000).map { "clips/women/\($0).wav" }
        for fraction in [0.1, 0.5, 0.9] {
            let share = Double(keys.filter { Fingerprint.isChosen($0, seed: 7, fraction: fraction) }.count)
            #expect(abs(share / Double(keys.count) - fraction) < 0.02, "fraction \(fraction)")
        }
        #expect(keys.allSatisfy { Fingerprint.isChosen($0, seed: 7, fraction: 1) })
        #expect(!keys.contains { Fingerprint.isChosen($0, seed: 7, fraction: 0) })
    }

    @Test func choiceDependsOnSeedAndKeyOnly() {
        let keys = (0..<1000).map { "item \($0)" }
        let first = keys.map { Fingerprint.isChosen($0, seed: 3, fraction: 0.5) }
        #expect(keys.reversed().map { Fingerprint.isChosen($0, seed: 3, fraction: 0.5) }.reversed() == first)
        let otherSeed = keys.map { Fingerprint.isChosen($0, seed: 4, fraction: 0.5) }
        #expect(zip(first, otherSeed).filter { $0 != $1 }.count > 300)
    }
}
