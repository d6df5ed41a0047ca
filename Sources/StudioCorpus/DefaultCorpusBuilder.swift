import Dispatch
import Foundation
import StudioAudio
import StudioSupport

/// Builds the default men / women / nonhuman corpus from Debian packages: decode, cut 1.008 s clips
/// (16,128 samples: exactly 64 frames of the default frontend), check pitch, balance speakers round
/// robin, hold out whole speakers for test, write WAVs, `manifest.csv` and a README.
///
/// The same packages, parameters and seed give the same corpus.
public struct DefaultCorpusBuilder: Sendable {
    /// Clips per class.
    public var clipsPerClass = 1000
    /// Samples per clip at 16 kHz.
    public var clipLength = 16_128
    /// Seed of every random choice.
    public var seed: UInt64 = 1
    /// Where packages are downloaded and unpacked.
    public let cacheFolder: String
    /// Where the corpus is written.
    public let outputFolder: String

    /// Men above and women below these median F0s are dropped as mislabelled (none are, as built).
    static let menMaximumF0: Float = 175
    static let womenMinimumF0: Float = 150

    /// A builder that caches packages in `cacheFolder` and writes to `outputFolder`.
    public init(cacheFolder: String, outputFolder: String) {
        self.cacheFolder = cacheFolder
        self.outputFolder = outputFolder
    }

    /// The folder the studio uses when none is given: `$STUDIO_CACHE` or `~/.cache/spectrogram-studio`.
    public static var defaultCacheFolder: String {
        if let path = ProcessInfo.processInfo.environment["STUDIO_CACHE"], !path.isEmpty { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/spectrogram-studio").path
    }

    /// What `build` did.
    public struct Report: Sendable {
        /// Clips per class and split.
        public let counts: [String: [CorpusSplit: Int]]
        /// Speakers (or groups) used per class.
        public let speakers: [String: [String]]
        /// Whether the corpus already existed with these parameters and was kept.
        public let reused: Bool
    }

    var parametersStamp: String {
        "default-corpus v2 clipsPerClass=\(clipsPerClass) clipLength=\(clipLength) seed=\(seed) wideband-real-only"
    }

    /// Builds the corpus, or keeps it if it was built with the same parameters.
    /// - Parameter progress: Called with (done, total) while decoding.
    public func build(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> Report {
        let stampPath = URL(fileURLWithPath: outputFolder).appendingPathComponent(".parameters").path
        if (try? String(contentsOfFile: stampPath, encoding: .utf8)) == parametersStamp,
            let corpus = try? Corpus.load(folder: outputFolder)
        {
            return Report(counts: Self.counts(corpus.items), speakers: Self.speakers(corpus.items), reused: true)
        }
        try fetchPackages()
        let root = URL(fileURLWithPath: cacheFolder).appendingPathComponent("root").path
        var random = SplitMix64(seed: seed)
        let sources = DefaultCorpusSources.speakers + DefaultCorpusSources.soundGroups
        let perClass = Dictionary(grouping: sources, by: \.className).mapValues(\.count)

        // 1. Files per source, and which of them to decode.
        var plans = [(source: DefaultCorpusSources.Source, files: [String], cap: Int, maximumWindows: Int?)]()
        var tasks = [(path: String, speech: Bool, maximumWindows: Int?)]()
        for source in sources {
            var files = Set(source.patterns.flatMap { FileGlob.files(under: root, matching: $0) }).sorted()
            files = files.filter {
                Corpus.audioExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased())
            }
            if source.exclude == "QABCS_ALLOW" {
                files = files.filter {
                    DefaultCorpusSources.qabcsAllowed.contains(
                        URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent)
                }
            } else if let exclude = source.exclude,
                let regex = try? NSRegularExpression(pattern: exclude, options: .caseInsensitive)
            {
                files = files.filter { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) == nil }
            }
            guard !files.isEmpty else { continue }
            let speech = source.className != "nonhuman"
            let cap = max(Int((2.5 * Double(clipsPerClass) / Double(perClass[source.className]!)).rounded(.up)), 20)
            files.shuffle(using: &random)
            let many = files.count >= 10
            let maximumWindows: Int? = speech ? (many ? 3 : nil) : 3
            let budget = many ? Int((Double(cap) * 1.3).rounded(.up)) : files.count
            plans.append((source, files, cap, maximumWindows))
            for file in files.prefix(budget) { tasks.append((file, speech, maximumWindows)) }
        }
        guard !tasks.isEmpty else {
            throw CorpusError.buildFailed(step: "gathering files", reason: "no audio found under \(root)")
        }

        // 2. Decode and cut, on every core.
        let results = try decode(tasks, progress: progress)

        // 3. Per source: its clips, capped, and the pitch gate.
        var chosen = [String: [(DefaultCorpusSources.Source, CutClip)]]()
        for className in ["men", "women", "nonhuman"] {
            var queues = [(DefaultCorpusSources.Source, [CutClip])]()
            for plan in plans where plan.source.className == className {
                var clips = plan.files.flatMap { results[$0] ?? [] }
                clips.shuffle(using: &random)
                clips = Array(clips.prefix(plan.cap))
                let pitches = clips.compactMap(\.medianF0).sorted()
                let median = pitches.isEmpty ? nil : pitches[pitches.count / 2]
                if className == "men", let median, median > Self.menMaximumF0 { continue }
                if className == "women", median.map({ $0 < Self.womenMinimumF0 }) ?? true { continue }
                if !clips.isEmpty { queues.append((plan.source, clips)) }
            }
            // 4. Round robin over speakers until the class is full.
            var picked = [(DefaultCorpusSources.Source, CutClip)]()
            var position = 0
            while picked.count < clipsPerClass && queues.contains(where: { $0.1.count > position }) {
                for (source, clips) in queues where position < clips.count && picked.count < clipsPerClass {
                    picked.append((source, clips[position]))
                }
                position += 1
            }
            chosen[className] = picked
        }

        // 5. Write clips, manifest and README.
        try? FileManager.default.removeItem(atPath: outputFolder)
        var rows = ["split,class,speaker,kind,package,licence,source_path,offset_s,f0_hz,voiced_fraction,fnv1a64"]
        var items = [CorpusItem]()
        var counters = [String: Int]()
        for className in ["men", "women", "nonhuman"] {
            for (source, clip) in chosen[className] ?? [] {
                let split: CorpusSplit
                if className == "nonhuman" {
                    let stem = URL(fileURLWithPath: clip.path).deletingPathExtension().lastPathComponent
                        .replacingOccurrences(of: "[-_ ]?[0-9]+$", with: "", options: .regularExpression)
                    split =
                        UInt64(Fingerprint.fnv1a64(source.speaker + "/" + stem), radix: 16)! % 5 == 0 ? .test : .train
                } else {
                    split = source.heldOut ? .test : .train
                }
                let folder = URL(fileURLWithPath: outputFolder).appendingPathComponent("\(split.rawValue)/\(className)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let index = counters[source.speaker, default: 0]
                counters[source.speaker] = index + 1
                let file = folder.appendingPathComponent("\(source.speaker)__\(String(format: "%05d", index)).wav")
                try AudioFile.write(AudioSignal(samples: clip.samples, sampleRate: 16_000), to: file.path)
                let checksum = Fingerprint.fnv1a64(bytes: try Data(contentsOf: file))
                let relativeSource = clip.path.replacingOccurrences(of: root + "/", with: "")
                rows.append(
                    [
                        split.rawValue, className, source.speaker, "real", source.package, "\"\(source.licence)\"",
                        relativeSource,
                        String(format: "%.3f", Double(clip.offset) / 16_000),
                        clip.medianF0.map { String(format: "%.1f", $0) } ?? "",
                        String(format: "%.2f", clip.voicedFraction), checksum,
                    ].joined(separator: ","))
                items.append(CorpusItem(path: file.path, className: className, speaker: source.speaker, split: split))
            }
        }
        try AtomicFile.write(Data((rows.joined(separator: "\n") + "\n").utf8), to: outputFolder + "/manifest.csv")
        let pitch = Self.pitchBaseline(chosen)
        try AtomicFile.write(
            Data(readme(items: items, sources: sources, pitch: pitch).utf8), to: outputFolder + "/README.md")
        try AtomicFile.write(Data(parametersStamp.utf8), to: stampPath)
        return Report(counts: Self.counts(items), speakers: Self.speakers(items), reused: false)
    }

    /// A clip with its provenance and pitch.
    struct CutClip: Sendable {
        let path: String
        let offset: Int
        let samples: [Float]
        let medianF0: Float?
        let voicedFraction: Float
    }

    /// Downloads the data packages with `apt-get download` and unpacks them with `dpkg-deb -x` into
    /// `cacheFolder/root`: never installed, so they pull in no dependencies. A marker file per package
    /// makes this incremental.
    private func fetchPackages() throws {
        let debs = URL(fileURLWithPath: cacheFolder).appendingPathComponent("debs")
        let root = URL(fileURLWithPath: cacheFolder).appendingPathComponent("root")
        try FileManager.default.createDirectory(at: debs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let needed = DefaultCorpusSources.packages.filter {
            !FileManager.default.fileExists(atPath: root.appendingPathComponent(".done.\($0)").path)
        }
        guard !needed.isEmpty else { return }
        if try run("/usr/bin/apt-get", ["download"] + needed, in: debs) != 0 {
            // A machine that never ran `apt-get update` has no package lists yet.
            _ = try run("/usr/bin/apt-get", ["update", "-qq"], in: debs)
            guard try run("/usr/bin/apt-get", ["download"] + needed, in: debs) == 0 else {
                throw CorpusError.buildFailed(
                    step: "downloading \(needed.joined(separator: " "))",
                    reason: "apt-get download failed; check the network and apt sources, then run again")
            }
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: debs.path)) ?? []
        for package in needed {
            guard let deb = files.sorted().last(where: { $0.hasPrefix(package + "_") && $0.hasSuffix(".deb") }) else {
                throw CorpusError.buildFailed(step: "unpacking \(package)", reason: "no .deb in \(debs.path)")
            }
            guard try run("/usr/bin/dpkg-deb", ["-x", debs.appendingPathComponent(deb).path, root.path], in: debs) == 0
            else {
                throw CorpusError.buildFailed(step: "unpacking \(package)", reason: "dpkg-deb -x failed on \(deb)")
            }
            // The marker that skips this package next time; without it the package is unpacked again.
            guard
                FileManager.default.createFile(
                    atPath: root.appendingPathComponent(".done.\(package)").path, contents: Data())
            else {
                throw CorpusError.buildFailed(
                    step: "unpacking \(package)", reason: "cannot write \(root.path)/.done.\(package) (disk full?)")
            }
        }
    }

    private func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func decode(
        _ tasks: [(path: String, speech: Bool, maximumWindows: Int?)], progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> [String: [CutClip]] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [String: [CutClip]]()
        nonisolated(unsafe) var done = 0
        let length = clipLength
        DispatchQueue.concurrentPerform(iterations: tasks.count) { index in
            let task = tasks[index]
            var clips = [CutClip]()
            if let signal = try? AudioFile.read(task.path, sampleRate: 16_000, quality: .medium) {
                for clip in ClipCutter.clips(
                    from: signal.samples, length: length, speech: task.speech, maximumWindows: task.maximumWindows)
                {
                    var f0: Float?
                    var voiced: Float = 0
                    if task.speech {
                        (f0, voiced) = PitchEstimator.summary(clip.samples)
                        if voiced < 0.1 { continue }
                    }
                    clips.append(
                        CutClip(
                            path: task.path, offset: clip.offset, samples: clip.samples, medianF0: f0,
                            voicedFraction: voiced))
                }
            }
            lock.lock()
            results[task.path] = clips
            done += 1
            let count = done
            lock.unlock()
            progress(count, tasks.count)
        }
        return results
    }

    static func counts(_ items: [CorpusItem]) -> [String: [CorpusSplit: Int]] {
        var counts = [String: [CorpusSplit: Int]]()
        for item in items { counts[item.className, default: [:]][item.split, default: 0] += 1 }
        return counts
    }

    static func speakers(_ items: [CorpusItem]) -> [String: [String]] {
        Dictionary(grouping: items, by: \.className).mapValues { Array(Set($0.map(\.speaker))).sorted() }
    }

    /// The best single F0 threshold between men and women, chosen on train: (threshold, train, test accuracy).
    static func pitchBaseline(_ chosen: [String: [(DefaultCorpusSources.Source, CutClip)]]) -> (Float, Float, Float) {
        func samples(_ heldOut: Bool) -> [(Float, Bool)] {
            ["men", "women"].flatMap { className in
                (chosen[className] ?? []).filter { $0.0.heldOut == heldOut }.compactMap { source, clip in
                    clip.medianF0.map { ($0, className == "women") }
                }
            }
        }
        let train = samples(false)
        let test = samples(true)
        func accuracy(_ data: [(Float, Bool)], _ threshold: Float) -> Float {
            Float(data.filter { ($0.0 > threshold) == $0.1 }.count) / Float(max(data.count, 1))
        }
        let best = Set(train.map(\.0)).max { accuracy(train, $0) < accuracy(train, $1) } ?? 0
        return (best, accuracy(train, best), accuracy(test, best))
    }

    private func readme(items: [CorpusItem], sources: [DefaultCorpusSources.Source], pitch: (Float, Float, Float))
        -> String
    {
        var lines = [
            "# Spectrogram Studio default corpus", "",
            "Built by `studio corpus build` (\(parametersStamp)). 16 kHz mono 16-bit WAV clips of \(clipLength) samples",
            "(1.008 s: exactly 64 frames of the default frontend), peak-normalised to -1 dBFS.", "",
            "Decisions on confounds: only wideband recordings (the 8 kHz asterisk and codec2 sources are left out, since",
            "they are mostly one gender each); no synthetic voices; whole speakers are held out for test; short",
            "recordings are centred in zeros, in both speech classes alike.", "",
            String(
                format:
                    "Pitch alone (one F0 threshold, %.0f Hz, chosen on train): %.1f%% train, %.1f%% held-out-speaker test accuracy "
                    + "on men vs women. Bandwidth and silence: `Corpora/scripts/corpus_confounds.py`.",
                pitch.0, 100 * pitch.1, 100 * pitch.2), "",
            "| class | split | speaker / group | clips | package | licence |", "|---|---|---|---|---|---|",
        ]
        let bySpeaker = Dictionary(grouping: items, by: { "\($0.className)|\($0.split.rawValue)|\($0.speaker)" })
        for key in bySpeaker.keys.sorted() {
            let parts = key.split(separator: "|").map(String.init)
            let source = sources.first { $0.speaker == parts[2] }
            lines.append(
                "| \(parts[0]) | \(parts[1]) | \(parts[2]) | \(bySpeaker[key]!.count) | \(source?.package ?? "") | \(source?.licence ?? "") |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
