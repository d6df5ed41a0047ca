import Foundation

/// A proportion with its Wilson score interval (Wilson 1927), the interval to use for small
/// listening tests: it stays inside [0, 1] and is sensible at 0 and n successes.
public struct WilsonInterval: Sendable, Codable, Equatable {
    /// Successes and trials.
    public let successes: Int, trials: Int
    /// The proportion and the interval's bounds.
    public let rate: Double, lower: Double, upper: Double

    /// The interval for `successes` of `trials` at normal quantile `z` (1.96: 95%).
    public init(successes: Int, trials: Int, z: Double = 1.959_963_984_540_054) {
        self.successes = successes
        self.trials = trials
        guard trials > 0 else {
            (rate, lower, upper) = (0, 0, 1)
            return
        }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        rate = p
        lower = max(0, centre - half)
        upper = min(1, centre + half)
    }
}

/// `studio listening-test score`: recognition rates with Wilson intervals per source and class,
/// confusion matrices, inter-listener agreement, after dropping listeners who failed the
/// attention checks. `unsure` counts as not recognised.
public struct ListeningTestScore: Sendable, Codable {
    /// One listener's attention-check record.
    public struct Listener: Sendable, Codable, Equatable {
        /// Listener id, answers given, attention checks answered and passed, and whether kept.
        public let id: String, answers: Int, checks: Int, checksPassed: Int, kept: Bool
    }

    /// Recognition of one class from one source (a run, or real controls).
    public struct Recognition: Sendable, Codable, Equatable {
        /// Kind, source and class.
        public let kind: String, source: String, trueClass: String
        /// Recognised answers among all answers of kept listeners.
        public let recognition: WilsonInterval
    }

    /// A confusion matrix of one source: `counts[true class][answer]`.
    public struct Confusion: Sendable, Codable, Equatable {
        /// The source, the row labels (true classes) and the column labels (answers).
        public let source: String, rows: [String], columns: [String]
        /// Counts, row-major.
        public let counts: [[Int]]
    }

    /// Listeners and whether they were kept.
    public let listeners: [Listener]
    /// Per kind, source and class.
    public let recognition: [Recognition]
    /// Per source.
    public let confusions: [Confusion]
    /// Fleiss' kappa over generated and control clips with at least two kept ratings (generalised
    /// to unequal rater counts; attention checks left out), and the mean pairwise agreement among them.
    public let fleissKappa: Double?, pairwiseAgreement: Double?
    /// Clips that entered the agreement.
    public let agreementClips: Int
    /// The attention rule: the share of checks a listener must pass to be kept.
    public let minimumCheckAccuracy: Double

    /// Scores `answers` against `key`. `choices` are the answer labels (classes and `unsure`).
    public init(
        answers: [ListeningAnswer], key: [ListeningKeyEntry], choices: [String], minimumCheckAccuracy: Double = 1
    ) {
        let byClip = Dictionary(key.map { ($0.clip, $0) }, uniquingKeysWith: { first, _ in first })
        var listeners = [Listener]()
        var kept = Set<String>()
        for id in Array(Set(answers.map(\.listener))).sorted() {
            let mine = answers.filter { $0.listener == id }
            let checks = mine.filter { byClip[$0.clip]?.kind == .attention }
            let passed = checks.filter { $0.answer == byClip[$0.clip]?.trueClass }.count
            let keep = checks.isEmpty || Double(passed) >= minimumCheckAccuracy * Double(checks.count) - 1e-9
            if keep { kept.insert(id) }
            listeners.append(
                Listener(id: id, answers: mine.count, checks: checks.count, checksPassed: passed, kept: keep))
        }
        let counted = answers.filter { kept.contains($0.listener) && byClip[$0.clip]?.kind != .attention }
        var groups = [String: (kind: String, source: String, trueClass: String, right: Int, total: Int)]()
        for answer in counted {
            guard let entry = byClip[answer.clip] else { continue }
            let name = "\(entry.kind.rawValue)|\(entry.source)|\(entry.trueClass)"
            var group = groups[name] ?? (entry.kind.rawValue, entry.source, entry.trueClass, 0, 0)
            group.total += 1
            if answer.answer == entry.trueClass { group.right += 1 }
            groups[name] = group
        }
        recognition = groups.keys.sorted().compactMap { name in
            groups[name].map {
                Recognition(
                    kind: $0.kind, source: $0.source, trueClass: $0.trueClass,
                    recognition: WilsonInterval(successes: $0.right, trials: $0.total))
            }
        }
        let sources = Array(Set(counted.compactMap { byClip[$0.clip]?.source })).sorted()
        confusions = sources.map { source in
            let mine = counted.filter { byClip[$0.clip]?.source == source }
            let rows = Array(Set(mine.compactMap { byClip[$0.clip]?.trueClass })).sorted()
            let counts = rows.map { row in
                choices.map { column in
                    mine.filter { byClip[$0.clip]?.trueClass == row && $0.answer == column }.count
                }
            }
            return Confusion(source: source, rows: rows, columns: choices, counts: counts)
        }
        // Agreement: every generated or control clip rated by two or more kept listeners. Attention
        // checks stay out: every kept listener answered them alike by construction.
        var ratings = [String: [Int]]()
        for answer in counted {
            guard let column = choices.firstIndex(of: answer.answer) else { continue }
            ratings[answer.clip, default: Array(repeating: 0, count: choices.count)][column] += 1
        }
        let rated = ratings.values.filter { $0.reduce(0, +) >= 2 }
        agreementClips = rated.count
        if rated.isEmpty {
            (fleissKappa, pairwiseAgreement) = (nil, nil)
        } else {
            let agreement =
                rated.map { counts -> Double in
                    let n = Double(counts.reduce(0, +))
                    return (counts.map { Double($0 * $0) }.reduce(0, +) - n) / (n * (n - 1))
                }.reduce(0, +) / Double(rated.count)
            let total = Double(rated.map { $0.reduce(0, +) }.reduce(0, +))
            let shares: [Double] = (0..<choices.count).map { column in
                Double(rated.map { $0[column] }.reduce(0, +)) / total
            }
            let chance = shares.map { $0 * $0 }.reduce(0, +)
            pairwiseAgreement = agreement
            fleissKappa = chance < 1 ? (agreement - chance) / (1 - chance) : nil
        }
        self.listeners = listeners
        self.minimumCheckAccuracy = minimumCheckAccuracy
    }

    /// The tables as Markdown.
    public var markdown: String {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
        var lines = [
            "# Listening test", "",
            "Listeners kept: \(listeners.filter(\.kept).count) of \(listeners.count) (attention checks: at least "
                + percent(minimumCheckAccuracy) + " right). `unsure` counts as not recognised.", "",
            "| kind | source | class | recognised | 95% Wilson interval |", "|---|---|---|---:|---|",
        ]
        for row in recognition {
            let r = row.recognition
            lines.append(
                "| \(row.kind) | \(row.source) | \(row.trueClass) | \(r.successes) / \(r.trials) = \(percent(r.rate)) | "
                    + "\(percent(r.lower)) - \(percent(r.upper)) |")
        }
        if let kappa = fleissKappa, let agreement = pairwiseAgreement {
            lines += [
                "",
                String(
                    format:
                        "Agreement over %d clips rated twice or more (attention checks left out): Fleiss' kappa %.3f, ",
                    agreementClips, kappa)
                    + "pairwise agreement " + percent(agreement) + ".",
            ]
        }
        for confusion in confusions {
            lines += [
                "", "## Confusion: \(confusion.source) (rows: true class, columns: answers)", "",
                "| | " + confusion.columns.joined(separator: " | ") + " |",
                "|---|" + confusion.columns.map { _ in "---:" }.joined(separator: "|") + "|",
            ]
            for (row, counts) in zip(confusion.rows, confusion.counts) {
                lines.append("| \(row) | " + counts.map(String.init).joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
