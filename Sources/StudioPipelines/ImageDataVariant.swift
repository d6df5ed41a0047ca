import Foundation
import StudioClassifiers
import StudioCorpus
import StudioData
import StudioImage
import StudioSupport

/// A picture data set with some examples changed (a corner patch, a grey background), applied in
/// memory when the data are loaded: the image counterpart of `CorpusVariant`.
public struct ImageDataVariant: Sendable, Codable, Equatable {
    /// Which examples change, and how.
    public struct Rule: Sendable, Codable, Equatable {
        /// The class whose examples change (nil: every class).
        public var className: String?
        /// Share of that class's examples that change, chosen per example by a seeded hash.
        public var fraction: Double
        /// The change.
        public var effect: PictureEffect

        /// A rule.
        public init(className: String?, fraction: Double = 1, effect: PictureEffect) {
            self.className = className
            self.fraction = fraction
            self.effect = effect
        }
    }

    /// A short name, and why the variant exists.
    public var name: String, purpose: String
    /// The changes; the first rule that selects an example applies.
    public var rules: [Rule]
    /// Seed of the per-example choices.
    public var seed: UInt64
    /// The padding frame around each picture that the effects leave alone (nil: none).
    public var margin: Int?

    /// A variant.
    public init(name: String, purpose: String, rules: [Rule], seed: UInt64 = 0, margin: Int? = nil) {
        self.name = name
        self.purpose = purpose
        self.rules = rules
        self.seed = seed
        self.margin = margin
    }

    /// `data` (of `split`) with the rules applied.
    /// - Throws: `CorpusError.unknownClasses` for a rule naming a class the data lack,
    ///   `ImageError` for an effect that does not fit the pictures.
    public func apply(to data: ClassificationData, split: CorpusSplit) throws -> ClassificationData {
        let unknown = rules.compactMap(\.className).filter { !data.classNames.contains($0) }
        if !unknown.isEmpty { throw CorpusError.unknownClasses(names: unknown, available: data.classNames) }
        var inputs = data.inputs
        let size = data.exampleSize
        for index in 0..<data.count {
            let name = data.classNames[data.labels[index]]
            guard
                let rule = rules.first(where: { rule in
                    guard rule.className == nil || rule.className == name else { return false }
                    return Fingerprint.isChosen("\(split.rawValue)|\(index)", seed: seed, fraction: rule.fraction)
                })
            else { continue }
            let range = (index * size)..<((index + 1) * size)
            inputs.replaceSubrange(
                range,
                with: try rule.effect.apply(
                    to: Array(inputs[range]), channels: data.channels, height: data.height, width: data.width,
                    margin: margin ?? 0))
        }
        return ClassificationData(
            inputs: inputs, labels: data.labels, groups: data.groups, classNames: data.classNames,
            channels: data.channels, height: data.height, width: data.width, representation: data.representation)
    }
}
