import StudioData
import Testing

/// The one function that removes the unseen class from a GAN's data, and the proof that can fail.
@Suite("Target absence and its proof")
struct TargetAbsenceTests {
    /// A user corpus as the trainer sees it: one-value "clips" (the value identifies the clip),
    /// speakers as groups. Carol speaks in men and in women; the nonhuman clips carry their class
    /// name as group (a class folder without speakers).
    static let names = ["men", "nonhuman", "women"]
    static let clips: [(value: Float, label: Int, group: String)] = [
        (1, 0, "alice"), (2, 0, "bob"), (3, 0, "carol"), (4, 0, "carol"),
        (5, 1, "nonhuman"), (6, 1, "nonhuman"),
        (7, 2, "carol"), (8, 2, "dana"), (9, 2, "women"),
    ]
    static func data(_ rows: [(value: Float, label: Int, group: String)]) -> ClassificationData {
        ClassificationData(
            inputs: rows.map(\.value), labels: rows.map(\.label), groups: rows.map(\.group), classNames: names,
            channels: 1, height: 1, width: 1)
    }
    static let held = data([(10, 2, "erin"), (11, 0, "frank")])

    @Test("the unseen class and every clip of its speakers leave; the proof holds and names them")
    func removesSharedSpeakers() {
        let train = Self.data(Self.clips)
        let real = TargetAbsence.realData(from: train, unseen: [2])
        #expect(real.data.inputs == [1, 2, 5, 6])
        #expect(real.indices == [0, 1, 4, 5])
        #expect(real.removedGroups == ["carol"] && real.removedExamples == 2)
        let proof = TargetAbsence.proof(consumed: real.data, reference: [train, Self.held], unseen: [2], removed: real)
        #expect(proof.holds, "\(proof.violations)")
        #expect(proof.unseenClasses == ["women"] && proof.unseenExamplesCompared == 4)
        // carol, dana, erin: "women" as a group is a class folder, not a person.
        #expect(proof.unseenGroups == 3 && proof.removedGroups == ["carol"])
        #expect(proof.consumedExamples == 4 && proof.consumedFingerprint.count == 16)
    }

    @Test("bypassing the function, the proof fails and names the shared speaker")
    func bypassFails() {
        let train = Self.data(Self.clips)
        let seenOnly = train.subset((0..<train.count).filter { train.labels[$0] != 2 })
        let proof = TargetAbsence.proof(consumed: seenOnly, reference: [train, Self.held], unseen: [2])
        #expect(!proof.holds)
        #expect(proof.byUnseenGroups == 2 && proof.labelledUnseen == 0 && proof.identicalToUnseen == 0)
        #expect(proof.violations.count == 2 && proof.violations.allSatisfy { $0.contains("carol") })
    }

    @Test("a clip of the unseen class copied into a seen class fails the proof, even under another speaker")
    func copiedClipFails() {
        let train = Self.data(Self.clips + [(10, 0, "gus")])
        let real = TargetAbsence.realData(from: train, unseen: [2])
        let proof = TargetAbsence.proof(consumed: real.data, reference: [train, Self.held], unseen: [2], removed: real)
        #expect(!proof.holds && proof.identicalToUnseen == 1 && proof.violations.first?.contains("gus") == true)
    }

    @Test("data that still holds the unseen class (ORACLE's, on purpose) fails the proof")
    func labelledUnseenFails() {
        let train = Self.data(Self.clips)
        let proof = TargetAbsence.proof(consumed: train, reference: [train], unseen: [2])
        #expect(!proof.holds && proof.labelledUnseen == 3 && proof.identicalToUnseen == 3)
    }

    @Test("the fingerprint of the consumed data does not depend on order, and changes with any clip")
    func fingerprint() {
        let a = Self.data([(1, 0, "a"), (2, 1, "b")])
        let b = Self.data([(2, 1, "b"), (1, 0, "a")])
        let c = Self.data([(1, 0, "a"), (2.5, 1, "b")])
        func print(_ data: ClassificationData) -> String {
            TargetAbsence.proof(consumed: data, reference: [], unseen: [2]).consumedFingerprint
        }
        #expect(print(a) == print(b) && print(a) != print(c))
    }
}
