import Dispatch
import Foundation
import StudioAudio
import StudioCorpus
import StudioImage

/// What `studio corpus info` reports.
public struct CorpusSummary: Sendable, Codable {
    /// Per-class counts.
    public struct ClassEntry: Sendable, Codable {
        /// Class name, train and test clip counts, and speakers (or groups).
        public let name: String, train: Int, test: Int, speakers: [String]
    }
    /// The corpus root.
    public let root: String
    /// Items in all.
    public let itemCount: Int
    /// Total audio in seconds.
    public let totalSeconds: Double
    /// Per class.
    public let classes: [ClassEntry]
}

/// What `studio corpus check` found.
public struct CorpusCheckReport: Sendable, Codable {
    /// Files examined.
    public let itemCount: Int
    /// Clips per class.
    public let classCounts: [String: Int]
    /// Problems, each naming its file or class.
    public let problems: [String]
}

/// The corpus commands' work.
public enum CorpusPipelines {
    /// Counts, durations and (optionally) a PNG with one example spectrogram per class.
    public static func summarize(folder: String, examplesPNG: String?) throws -> CorpusSummary {
        let corpus = try Corpus.load(folder: folder)
        var seconds = 0.0
        for item in corpus.items {
            if let info = try? AudioFile.readMono(item.path).info {
                seconds += Double(info.frameCount) / Double(info.sampleRate)
            }
        }
        let classes = corpus.classNames.map { name -> CorpusSummary.ClassEntry in
            let items = corpus.items.filter { $0.className == name }
            return CorpusSummary.ClassEntry(
                name: name, train: items.filter { $0.split == .train }.count,
                test: items.filter { $0.split == .test }.count,
                speakers: Array(Set(items.map(\.speaker))).sorted())
        }
        if let examplesPNG {
            let frontend = try MelFrontendConfiguration()
            let extractor = MelSpectrogramExtractor(frontend)
            var strips = [Spectrogram]()
            for name in corpus.classNames {
                guard let item = corpus.items.first(where: { $0.className == name }) else { continue }
                strips.append(try extractor.decibels(try AudioFile.read(item.path).samples))
            }
            // Side by side, separated by a silent frame.
            let bands = frontend.mel.melBandCount
            var values = [Float]()
            for strip in strips { values += strip.values + [Float](repeating: -100, count: bands) }
            let joined = Spectrogram(binCount: bands, frameCount: values.count / bands, values: values)
            try SpectrogramPicture.write(
                decibels: joined, frontend: frontend, to: examplesPNG, title: corpus.classNames.joined(separator: " | ")
            )
        }
        return CorpusSummary(root: folder, itemCount: corpus.items.count, totalSeconds: seconds, classes: classes)
    }

    /// Reads every file of a user corpus and lists what would trip up training.
    public static func check(
        path: String, minimumClips: Int, progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> CorpusCheckReport {
        let corpus =
            path.lowercased().hasSuffix(".csv") ? try Corpus.load(manifest: path) : try Corpus.load(folder: path)
        let lock = NSLock()
        nonisolated(unsafe) var problems = [String]()
        nonisolated(unsafe) var fingerprints = [String: [String]]()
        nonisolated(unsafe) var done = 0
        let items = corpus.items
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let item = items[index]
            var found = [String]()
            var fingerprint: String?
            do {
                let (signal, info) = try AudioFile.readMono(item.path)
                if info.sampleRate < 16_000 {
                    found.append(
                        "\(item.path): \(info.sampleRate) Hz is below the 16 kHz working rate (it will be upsampled; high frequencies are missing)"
                    )
                }
                if signal.duration < 0.25 {
                    found.append("\(item.path): only \(String(format: "%.2f", signal.duration)) s long")
                }
                fingerprint =
                    "\(signal.samples.count):"
                    + signal.samples.prefix(4096).map { String($0.bitPattern, radix: 16) }.joined()
            } catch {
                found.append("\(error)")
            }
            lock.lock()
            problems += found
            if let fingerprint { fingerprints[fingerprint, default: []].append(item.path) }
            done += 1
            let count = done
            lock.unlock()
            progress(count, items.count)
        }
        for paths in fingerprints.values where paths.count > 1 {
            problems.append("duplicates: \(paths.sorted().joined(separator: " = "))")
        }
        var counts = [String: Int]()
        for item in corpus.items { counts[item.className, default: 0] += 1 }
        for (name, count) in counts where count < minimumClips {
            problems.append("class '\(name)' has only \(count) clips (fewer than \(minimumClips))")
        }
        return CorpusCheckReport(itemCount: corpus.items.count, classCounts: counts, problems: problems.sorted())
    }
}
