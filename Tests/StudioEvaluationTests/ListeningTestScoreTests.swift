import Foundation
import StudioEvaluation
import Testing

@Suite("Listening-test scoring, hand-computed")
struct ListeningTestScoreTests {
    let choices = ["men", "women", "nonhuman", "unsure"]
    let key = [
        ListeningKeyEntry(clip: "c1.wav", kind: .generated, source: "runA", trueClass: "women"),
        ListeningKeyEntry(clip: "c2.wav", kind: .generated, source: "runA", trueClass: "women"),
        ListeningKeyEntry(clip: "c3.wav", kind: .generated, source: "runA", trueClass: "men"),
        ListeningKeyEntry(clip: "c4.wav", kind: .attention, source: "real", trueClass: "nonhuman"),
    ]

    func answers(_ rows: [(String, String, String)]) -> [ListeningAnswer] {
        rows.map { ListeningAnswer(listener: $0.0, clip: $0.1, answer: $0.2) }
    }

    @Test func wilsonIntervalsOfKnownCases() {
        let eight = WilsonInterval(successes: 8, trials: 10)
        #expect(abs(eight.lower - 0.4902) < 1e-4 && abs(eight.upper - 0.9433) < 1e-4)
        let none = WilsonInterval(successes: 0, trials: 5)
        #expect(none.lower == 0 && abs(none.upper - 0.4345) < 1e-4)
        let all = WilsonInterval(successes: 5, trials: 5)
        #expect(all.upper == 1 && abs(all.lower - 0.5655) < 1e-4)
    }

    @Test func recognitionAgreementAndConfusionAfterAttentionFiltering() {
        let score = ListeningTestScore(
            answers: answers([
                ("L1", "c1.wav", "women"), ("L1", "c2.wav", "men"), ("L1", "c3.wav", "men"),
                ("L1", "c4.wav", "nonhuman"),
                ("L2", "c1.wav", "women"), ("L2", "c2.wav", "women"), ("L2", "c3.wav", "unsure"),
                ("L2", "c4.wav", "nonhuman"),
                // L3 misses the attention check: dropped.
                ("L3", "c1.wav", "men"), ("L3", "c2.wav", "men"), ("L3", "c3.wav", "men"), ("L3", "c4.wav", "women"),
            ]), key: key, choices: choices)
        #expect(score.listeners.map(\.kept) == [true, true, false])
        let women = score.recognition.first { $0.trueClass == "women" }?.recognition
        let men = score.recognition.first { $0.trueClass == "men" }?.recognition
        #expect(women?.successes == 3 && women?.trials == 4)
        #expect(men?.successes == 1 && men?.trials == 2)
        // The attention check c4 stays out of the agreement. Pairwise agreement (1 + 0 + 0) / 3;
        // chance (2^2 + 3^2 + 0^2 + 1^2) / 6^2 = 14 / 36; kappa (12/36 - 14/36) / (22/36) = -1/11.
        #expect(score.agreementClips == 3)
        #expect(abs((score.pairwiseAgreement ?? 0) - 1.0 / 3) < 1e-12)
        #expect(abs((score.fleissKappa ?? 0) + 1.0 / 11) < 1e-12)
        #expect(score.confusions.count == 1)
        #expect(score.confusions[0].rows == ["men", "women"])
        #expect(score.confusions[0].counts == [[1, 0, 0, 1], [1, 3, 0, 0]])
        #expect(score.markdown.contains("| generated | runA | women | 3 / 4 = 75.0% |"))
    }

    /// Fleiss' kappa against statsmodels 0.14 (`statsmodels.stats.inter_rater.fleiss_kappa` of
    /// the clip-by-category table [[1,2,0,0],[3,0,0,0],[0,2,0,1],[0,1,2,0],[1,2,0,0]], columns
    /// men, women, nonhuman, unsure: 0.17808219178082188). A fourth listener misses the attention
    /// check and is dropped; the attention clip itself is not part of the table.
    @Test func fleissKappaMatchesStatsmodels() {
        let key =
            ["g1", "g2", "g3", "g4"].map {
                ListeningKeyEntry(clip: $0, kind: .generated, source: "runA", trueClass: "women")
            } + [
                ListeningKeyEntry(clip: "k1", kind: .control, source: "real", trueClass: "women"),
                ListeningKeyEntry(clip: "a1", kind: .attention, source: "real", trueClass: "men"),
            ]
        let table: [String: [String]] = [
            "g1": ["women", "women", "men", "nonhuman"], "g2": ["men", "men", "men", "women"],
            "g3": ["women", "unsure", "women", "men"], "g4": ["nonhuman", "women", "nonhuman", "men"],
            "k1": ["men", "women", "women", "unsure"], "a1": ["men", "men", "men", "women"],
        ]
        var rows = [ListeningAnswer]()
        for (clip, answers) in table {
            for (listener, answer) in answers.enumerated() {
                rows.append(ListeningAnswer(listener: "L\(listener)", clip: clip, answer: answer))
            }
        }
        let score = ListeningTestScore(answers: rows, key: key, choices: choices)
        #expect(score.listeners.map(\.kept) == [true, true, true, false])
        #expect(score.agreementClips == 5)
        #expect(abs((score.fleissKappa ?? 0) - 0.178_082_191_780_821_88) < 1e-12, "\(score.fleissKappa ?? .nan)")
    }

    @Test func filesRoundTripAndBadAnswersNameTheLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("listening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyPath = folder.appendingPathComponent("key.csv").path
        try ListeningKeyEntry.write(key, to: keyPath)
        #expect(try ListeningKeyEntry.read(keyPath) == key)
        let good = folder.appendingPathComponent("good.csv").path
        try "listener,clip,answer\nL1,c1.wav,women\nL1,c4.wav,nonhuman\n".write(
            toFile: good, atomically: true, encoding: .utf8)
        #expect(try ListeningAnswer.read(good, key: key, choices: choices).count == 2)
        let stranger = folder.appendingPathComponent("stranger.csv").path
        try "listener,clip,answer\nL1,c1.wav,women\nL1,c9.wav,men\n".write(
            toFile: stranger, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.unknownClip(clip: "c9.wav", path: stranger, line: 3)) {
            try ListeningAnswer.read(stranger, key: key, choices: choices)
        }
        let badAnswer = folder.appendingPathComponent("bad.csv").path
        try "listener,clip,answer\nL1,c1.wav,cat\n".write(toFile: badAnswer, atomically: true, encoding: .utf8)
        do {
            _ = try ListeningAnswer.read(badAnswer, key: key, choices: choices)
            Issue.record("an unknown answer was accepted")
        } catch {
            #expect("\(error)".contains("line 2") && "\(error)".contains("'cat'"))
        }
        let noColumn = folder.appendingPathComponent("nocolumn.csv").path
        try "listener,clip\nL1,c1.wav\n".write(toFile: noColumn, atomically: true, encoding: .utf8)
        #expect(throws: EvaluationError.self) { try ListeningAnswer.read(noColumn, key: key, choices: choices) }
        // A column named twice (answers or key) is an error naming it, not a trap.
        let twice = folder.appendingPathComponent("twice.csv").path
        try "listener,clip,answer,clip\nL1,c1.wav,women,c2.wav\n".write(
            toFile: twice, atomically: true, encoding: .utf8)
        #expect(
            throws: EvaluationError.badListeningFile(
                path: twice, line: 1, reason: "the header names the column 'clip' twice")
        ) {
            try ListeningAnswer.read(twice, key: key, choices: choices)
        }
        #expect(throws: EvaluationError.self) { try ListeningKeyEntry.read(twice) }
    }
}
