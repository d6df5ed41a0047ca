import Foundation
import StudioSupport

/// The GAN's real data for a probe: what the trainer will consume, and what was taken out to make
/// sure no unseen class reaches it.
public struct GANRealData: Sendable {
    /// The examples the trainer consumes.
    public let data: ClassificationData
    /// Their indices in the data they were taken from.
    public let indices: [Int]
    /// Groups (speakers) removed from the seen classes because they also appear in an unseen class.
    public let removedGroups: [String]
    /// Seen-class examples removed with those groups.
    public let removedExamples: Int
}

/// The target-absence proof a run folder records (`manifest.json`): computed from the examples the
/// trainer actually holds, compared byte for byte with every example of the unseen classes
/// (training and held-out splits) and with their groups (speakers). It fails when any consumed
/// example is labelled with an unseen class, is identical to an unseen-class example, or comes from
/// a speaker of an unseen class.
public struct AbsenceProof: Sendable, Codable, Equatable {
    /// Examples the trainer consumes, and the fingerprint of their sorted per-example fingerprints.
    public let consumedExamples: Int, consumedFingerprint: String
    /// The unseen classes, their examples (both splits) compared with every consumed one, and the
    /// number of their groups (speakers).
    public let unseenClasses: [String], unseenExamplesCompared: Int, unseenGroups: Int
    /// Consumed examples labelled with an unseen class, identical to an unseen-class example, and
    /// by a group of an unseen class.
    public let labelledUnseen: Int, identicalToUnseen: Int, byUnseenGroups: Int
    /// Groups removed from the seen classes before training because they also appear in an unseen
    /// class, and how many examples went with them.
    public let removedGroups: [String], removedExamples: Int
    /// Up to 10 of the violations, each naming the example's class and group.
    public let violations: [String]

    /// True when no consumed example is of, identical to, or by a speaker of an unseen class.
    public var holds: Bool { labelledUnseen == 0 && identicalToUnseen == 0 && byUnseenGroups == 0 }
}

/// The one place where unseen classes are removed from a GAN's real data, and the proof that they are.
public enum TargetAbsence {
    /// Keeps the examples of classes not in `unseen` whose group (speaker) never appears in an
    /// unseen class. Groups that merely repeat a class name (corpora without speakers, image data
    /// whose groups are their labels) are not people, and only remove their own class.
    public static func realData(from data: ClassificationData, unseen: [Int]) -> GANRealData {
        let unseenSet = Set(unseen)
        let unseenGroups = groups(of: unseenSet, in: data)
        var kept = [Int]()
        var removedGroups = Set<String>()
        var removedExamples = 0
        for index in 0..<data.count where !unseenSet.contains(data.labels[index]) {
            if unseenGroups.contains(data.groups[index]) {
                removedGroups.insert(data.groups[index])
                removedExamples += 1
            } else {
                kept.append(index)
            }
        }
        return GANRealData(
            data: data.subset(kept), indices: kept, removedGroups: removedGroups.sorted(),
            removedExamples: removedExamples)
    }

    /// The proof for `consumed`, the examples a trainer holds, against every example of the unseen
    /// classes in `reference` (give the training and the held-out split).
    public static func proof(
        consumed: ClassificationData, reference: [ClassificationData], unseen: [Int], removed: GANRealData? = nil
    ) -> AbsenceProof {
        let unseenSet = Set(unseen)
        var unseenPrints = Set<UInt64>()
        var unseenGroups = Set<String>()
        var compared = 0
        for data in reference {
            unseenGroups.formUnion(groups(of: unseenSet, in: data))
            for index in 0..<data.count where unseenSet.contains(data.labels[index]) {
                unseenPrints.insert(fingerprint(data, index))
                compared += 1
            }
        }
        var prints = [UInt64]()
        var (labelled, identical, byGroups) = (0, 0, 0)
        var violations = [String]()
        for index in 0..<consumed.count {
            let print = fingerprint(consumed, index)
            prints.append(print)
            let name = consumed.classNames[consumed.labels[index]]
            var reasons = [String]()
            if unseenSet.contains(consumed.labels[index]) {
                labelled += 1
                reasons.append("is labelled \(name), an unseen class")
            }
            if unseenPrints.contains(print) {
                identical += 1
                reasons.append("is identical to an unseen-class example")
            }
            if unseenGroups.contains(consumed.groups[index]) && !unseenSet.contains(consumed.labels[index]) {
                byGroups += 1
                reasons.append("is by '\(consumed.groups[index])', who also appears in an unseen class")
            }
            if !reasons.isEmpty && violations.count < 10 {
                violations.append(
                    "example \(index) (\(name), group '\(consumed.groups[index])') " + reasons.joined(separator: "; "))
            }
        }
        var bytes = Data()
        for print in prints.sorted() { withUnsafeBytes(of: print.littleEndian) { bytes.append(contentsOf: $0) } }
        return AbsenceProof(
            consumedExamples: consumed.count, consumedFingerprint: Fingerprint.fnv1a64(bytes: bytes),
            unseenClasses: unseen.map {
                consumed.classNames[$0]
            }, unseenExamplesCompared: compared, unseenGroups: unseenGroups.count, labelledUnseen: labelled,
            identicalToUnseen: identical, byUnseenGroups: byGroups, removedGroups: removed?.removedGroups ?? [],
            removedExamples: removed?.removedExamples ?? 0, violations: violations)
    }

    /// Groups of the classes in `labels` that are people: a group named like a class (a corpus
    /// without speakers) or like a label index (image data) is not.
    static func groups(of labels: Set<Int>, in data: ClassificationData) -> Set<String> {
        let notPeople = Set(data.classNames).union(data.classNames.indices.map { "\($0)" })
        return Set((0..<data.count).filter { labels.contains(data.labels[$0]) }.map { data.groups[$0] })
            .subtracting(notPeople)
    }

    /// FNV-1a 64 of one example's float bytes (little-endian, as stored).
    static func fingerprint(_ data: ClassificationData, _ index: Int) -> UInt64 {
        data.inputs[(index * data.exampleSize)..<((index + 1) * data.exampleSize)].withUnsafeBytes {
            Fingerprint.fnv1a64Value($0)
        }
    }
}
