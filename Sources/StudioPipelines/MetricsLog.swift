import Foundation
import ProbeGAN

/// An append-only JSON-lines file, flushed after every line.
struct MetricsLog {
    let handle: FileHandle

    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    mutating func append<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try handle.write(contentsOf: try encoder.encode(value) + Data("\n".utf8))
    }

    func close() throws { try handle.close() }
}

/// One metrics line per logged iteration.
struct IterationMetrics: Codable {
    var kind = "iteration"
    let iteration: Int, seconds: Double
    let dHinge: Float, dWasserstein: Float, dPenalty: Float, dTotal: Float
    let gConditional: Float, gUnconditional: Float, gClassification: Float, gTotal: Float

    init(_ record: ProbeGANTrainer.IterationRecord, seconds: Double) {
        iteration = record.iteration
        self.seconds = seconds
        dHinge = record.discriminator.hinge
        dWasserstein = record.discriminator.wasserstein
        dPenalty = record.discriminator.penalty
        dTotal = record.discriminator.total
        gConditional = record.generator.conditional
        gUnconditional = record.generator.unconditional
        gClassification = record.generator.classification
        gTotal = record.generator.total
    }
}

/// One metrics line per evaluation: the selection statistic and, for reporting only, the judge.
struct EvaluationMetrics: Codable {
    var kind = "evaluation"
    let iteration: Int, seconds: Double
    let score: Float
    let recognition: [String: Float], robustRecognition: [String: Float]
    /// Seen-class Frechet distances to real training examples in the probed classifier's features.
    let seenDistance: [String: Double]
    /// The judge's recognition of the same samples: reported, never used for selection or stopping.
    let judgeRecognition: [String: Float]
    let isBest: Bool
    /// Audio runs: seen-class speech-likeness distances to the GAN's own training clips, and every
    /// class's statistics of its rendered samples (`SpeechLikenessFidelity.statisticNames`).
    let speechLikeness: [String: Double]?, acoustics: [String: [String: Double]]?

    init(
        iteration: Int, seconds: Double, names: [String], result: SelectionScore.Result, judge: [Float?],
        isBest: Bool
    ) {
        self.iteration = iteration
        self.seconds = seconds
        score = result.score
        func byName<Value>(_ values: [Value?]) -> [String: Value] {
            var out = [String: Value]()
            for (index, value) in values.enumerated() { if let value { out[names[index]] = value } }
            return out
        }
        recognition = byName(result.recognition)
        robustRecognition = byName(result.robustRecognition)
        seenDistance = byName(result.seenDistance)
        judgeRecognition = byName(judge)
        self.isBest = isBest
        speechLikeness = result.fidelity.map { byName($0.distances) }
        acoustics = result.fidelity.map { byName($0.statistics) }
    }
}

/// One line of `metrics.jsonl` as read back, for the curves, the report and a resume. Fields a
/// kind of line does not have, or that runs of older versions did not write, are nil.
struct MetricsRecord: Decodable {
    /// A logged training iteration (losses) or an evaluation (selection score, judge).
    enum Kind: String, Decodable { case iteration, evaluation }

    let kind: Kind
    let iteration: Int
    /// Losses of an iteration line.
    let dTotal: Double?, gTotal: Double?, gClassification: Double?, dPenalty: Double?
    /// The selection score, the seen classes' distances and the judge of an evaluation line.
    let score: Double?
    let seenDistance: [String: Double]?
    let judgeRecognition: [String: Double]?
    let isBest: Bool?
    /// An audio run's seen-class speech-likeness distances and per-class acoustic statistics.
    let speechLikeness: [String: Double]?, acoustics: [String: [String: Double]]?

    enum CodingKeys: String, CodingKey {
        case kind, iteration, dTotal, gTotal, gClassification, dPenalty, score, seenDistance, judgeRecognition, isBest
        case speechLikeness, acoustics
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iteration = try container.decode(Int.self, forKey: .iteration)
        dTotal = try container.decodeIfPresent(Double.self, forKey: .dTotal)
        gTotal = try container.decodeIfPresent(Double.self, forKey: .gTotal)
        gClassification = try container.decodeIfPresent(Double.self, forKey: .gClassification)
        dPenalty = try container.decodeIfPresent(Double.self, forKey: .dPenalty)
        score = try container.decodeIfPresent(Double.self, forKey: .score)
        seenDistance = try container.decodeIfPresent([String: Double].self, forKey: .seenDistance)
        judgeRecognition = try container.decodeIfPresent([String: Double].self, forKey: .judgeRecognition)
        isBest = try container.decodeIfPresent(Bool.self, forKey: .isBest)
        speechLikeness = try container.decodeIfPresent([String: Double].self, forKey: .speechLikeness)
        acoustics = try container.decodeIfPresent([String: [String: Double]].self, forKey: .acoustics)
        // A line without a kind is an evaluation when it has a score.
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? (score == nil ? .iteration : .evaluation)
    }
}

extension MetricsLog {
    /// The lines of the metrics file at `path` in order, each with its text; a line that does not
    /// decode (the cut last line of a killed process) is skipped, and a missing file has none.
    static func read(_ path: String) -> [(text: String, record: MetricsRecord)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { line in
            (try? decoder.decode(MetricsRecord.self, from: Data(line.utf8))).map { (String(line), $0) }
        }
    }
}
