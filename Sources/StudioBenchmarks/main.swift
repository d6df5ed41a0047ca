// StudioBenchmarks: our side of `Benchmarks/run NAME`. Prints `key=value` lines that the runner
// combines with the anchor's numbers into one `RESULT` line. Timings are medians of repeats.
import Foundation
import StudioAudio
import StudioSupport

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func option(_ name: String, default value: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}

/// The audio frontend workloads (`Benchmarks/anchors/make_anchor_audio.sh`): log-mel of a 10-minute file,
/// Griffin-Lim (32 and 100 iterations) and mel -> audio on a 4 s clip.
func audioBenchmark() throws {
    let path = option("wav", default: "Benchmarks/work/anchor/test_10min_16k.wav")
    let repeats = Int(option("repeats", default: "7")) ?? 7
    let clipStart = Int(option("clip-start", default: "80")) ?? 80
    let (signal, info) = try AudioFile.readMono(path)
    precondition(info.sampleRate == 16_000, "the anchor file must be 16 kHz")
    print("audio_seconds=\(signal.duration)")

    let only = option("only", default: "")
    let extractor = MelSpectrogramExtractor(try MelFrontendConfiguration())
    var times = [Double]()
    var checksum: Float = 0
    if only.isEmpty || only == "logmel" {
        _ = try extractor.decibels(signal.samples)  // warm-up and planning
        for _ in 0..<repeats {
            times.append(try seconds { checksum += try extractor.decibels(signal.samples).values[1000] })
        }
        let logMel = median(times)
        print("logmel_ms=\(logMel * 1000)")
        print("logmel_realtime=\(signal.duration / logMel)")
    }
    if only == "logmel" { return }
    let clip = Array(signal.samples[(clipStart * 16_000)..<((clipStart + 4) * 16_000)])
    let transform = extractor.transform
    let magnitude = try transform.spectrogram(clip, power: 1)
    for iterations in [32, 100] {
        let griffinLim = GriffinLim(
            transform: transform, configuration: try GriffinLimConfiguration(iterations: iterations))
        var convergences = [Double]()
        times = []
        for seed in 0..<UInt64(repeats) {
            var generator = SplitMix64(seed: seed)
            var result: GriffinLimResult?
            times.append(try seconds { result = try griffinLim.reconstruct(magnitude: magnitude, using: &generator) })
            convergences.append(Double(result?.spectralConvergence ?? .nan))
        }
        print("gl\(iterations)_ms=\(median(times) * 1000)")
        print("gl\(iterations)_ms_per_iteration=\(median(times) * 1000 / Double(iterations))")
        print("gl\(iterations)_sc=\(median(convergences))")
    }

    let mel = try extractor.power(clip)
    let inverter = try MelToAudio(extractor: extractor, griffinLim: try GriffinLimConfiguration(iterations: 32))
    times = []
    var melConvergences = [Double]()
    for seed in 0..<UInt64(repeats) {
        var generator = SplitMix64(seed: seed)
        var result: MelToAudio.Result?
        times.append(try seconds { result = try inverter.audio(fromPowerMel: mel, using: &generator) })
        melConvergences.append(Double(result?.melSpectralConvergence ?? .nan))
    }
    print("mel2audio_ms=\(median(times) * 1000)")
    print("mel2audio_mel_sc=\(median(melConvergences))")
    print("checksum=\(checksum)")
}

switch CommandLine.arguments.dropFirst().first {
case "audio":
    try audioBenchmark()
case "engine":
    try engineBenchmark()
case "train":
    try trainBenchmark()
case "classifier":
    try classifierBenchmark()
case "explore":
    try exploreBenchmark()
case "cluster":
    try clusterBenchmark()
default:
    FileHandle.standardError.write(
        Data(
            "usage: StudioBenchmarks audio|engine|train|classifier|explore|cluster [--wav PATH] [--repeats N] [--clip-start S]\n"
                .utf8)
    )
    exit(2)
}
