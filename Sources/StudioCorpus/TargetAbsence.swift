import Foundation
import StudioSupport

/// The GAN's real-data set for a probe, with the proof that the unseen classes are absent.
public struct RealDataSet: Sendable {
    /// The items the GAN may see: training split only, no unseen class, no speaker of an unseen class.
    public let items: [CorpusItem]
    /// The classes removed.
    public let unseenClasses: [String]
    /// Speakers removed from every class because they also appear in an unseen class.
    public let removedSpeakers: [String]
    /// One line per kept item (`class,speaker,path`), sorted: what a run records.
    public let manifest: String
    /// SHA-256-free, dependency-free fingerprint of `manifest` (FNV-1a 64, hex), recorded with the run.
    public let manifestHash: String
}

/// Builds the GAN's real-data set: the one place where the target class is removed.
public enum TargetAbsence {
    /// Removes every item of `unseen` classes and, for speech, every item by a speaker who appears in
    /// any of them; keeps only the training split.
    /// - Throws: `CorpusError.unknownClasses` for names the corpus lacks, `.nothingLeft` when nothing remains.
    public static func realDataSet(from corpus: Corpus, unseen: [String]) throws -> RealDataSet {
        try corpus.validate(classNames: unseen)
        let unseenSet = Set(unseen)
        let removedSpeakers = Set(corpus.items.filter { unseenSet.contains($0.className) }.map(\.speaker))
            // A class-folder corpus without speakers uses the class name as speaker: that is not a person.
            .subtracting(corpus.classNames)
        let kept = corpus.items.filter {
            $0.split == .train && !unseenSet.contains($0.className) && !removedSpeakers.contains($0.speaker)
        }
        guard !kept.isEmpty else { throw CorpusError.nothingLeft(unseen: unseen) }
        let manifest = kept.map { "\($0.className),\($0.speaker),\($0.path)" }.sorted().joined(separator: "\n")
        return RealDataSet(
            items: kept, unseenClasses: unseen.sorted(), removedSpeakers: removedSpeakers.sorted(), manifest: manifest,
            manifestHash: Fingerprint.fnv1a64(manifest))
    }
}
