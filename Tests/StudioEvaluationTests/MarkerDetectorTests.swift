import Foundation
import StudioAudio
import StudioSupport
import Testing

@testable import StudioEvaluation

@Suite("Marker detector")
struct MarkerDetectorTests {
    @Test func contrastStatisticOnAHandImage() {
        // 4 rows x 3 columns; target row 1, reference rows 0 and 3.
        let image: [Float] = [
            0, 0, 0,
            1, 2, 6,
            5, 5, 5,
            0, 0, 3,
        ]
        let whole = ContrastStatistic(targetRows: 1..<2, referenceRows: [0..<1, 3..<4])
        // Column contrasts 1, 2, 4.5: mean 2.5.
        #expect(abs(whole.value(image[...], height: 4, width: 3) - 2.5) < 1e-6)
        // Windows of 2 columns: (1 + 2) / 2 and (2 + 4.5) / 2; the larger.
        let windowed = ContrastStatistic(targetRows: 1..<2, referenceRows: [0..<1, 3..<4], window: 2)
        #expect(abs(windowed.value(image[...], height: 4, width: 3) - 3.25) < 1e-6)
        // A patch without reference: its plain mean.
        let patch = ContrastStatistic(targetRows: 1..<3, targetColumns: 0..<2)
        #expect(abs(patch.value(image[...], height: 4, width: 3) - 3.25) < 1e-6)
        // Reference rows past the edge are clipped, not read.
        let edge = ContrastStatistic(targetRows: 0..<1, referenceRows: [(-3)..<(-1), 1..<2])
        #expect(abs(edge.value(image[...], height: 4, width: 3) - (-3)) < 1e-6)
    }

    @Test func thresholdIsTheCalibrationQuantile() throws {
        // 101 one-pixel images with values 0, 0.01, ..., 1.
        let clean = (0...100).map { Float($0) / 100 }
        let statistic = ContrastStatistic(targetRows: 0..<1)
        let raising = try MarkerDetector(
            statistic: statistic, markerRaises: true, clean: clean, height: 1, width: 1, falsePositiveRate: 0.05)
        #expect(abs(raising.threshold - 0.95) < 1e-6)
        #expect(raising.detectionRate(clean, height: 1, width: 1).rate.successes == 5)
        let lowering = try MarkerDetector(
            statistic: statistic, markerRaises: false, clean: clean, height: 1, width: 1, falsePositiveRate: 0.05)
        #expect(abs(lowering.threshold - 0.05) < 1e-6)
        #expect(lowering.detectionRate(clean, height: 1, width: 1).rate.successes == 5)
        // With real marked examples (1.5 ... 2.5): halfway between 0.95 and their 5% quantile 1.55.
        let marked = (0...100).map { 1.5 + Float($0) / 100 }
        let both = try MarkerDetector(
            statistic: statistic, markerRaises: true, clean: clean, marked: marked, height: 1, width: 1,
            falsePositiveRate: 0.05)
        #expect(abs(both.threshold - 1.25) < 1e-6)
        #expect(both.usesMarkedTail && both.markedCalibrationCount == 101)
        // Overlapping tails leave the clean quantile.
        let overlapping = try MarkerDetector(
            statistic: statistic, markerRaises: true, clean: clean, marked: clean, height: 1, width: 1,
            falsePositiveRate: 0.05)
        #expect(abs(overlapping.threshold - 0.95) < 1e-6)
        #expect(!overlapping.usesMarkedTail && !raising.usesMarkedTail)
        #expect(throws: EvaluationError.noCalibrationData) {
            try MarkerDetector(statistic: statistic, markerRaises: true, clean: [], height: 1, width: 1)
        }
    }

    /// A synthetic voice (a harmonic stack falling 9 dB per octave, a random F0 and level, noise)
    /// through the real log-mel frontend, with `effect` applied to the waveform.
    static func voice(_ random: inout SplitMix64, effect: AudioEffect?) throws -> [Float] {
        let frontend = try MelFrontendConfiguration()
        let length = frontend.sampleCount(forFrames: 64)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        let f0 = 100 + 150 * uniform()
        let level = 0.02 + 0.2 * uniform()
        var samples = (0..<length).map { index -> Float in
            let t = Double(index) / 16_000
            var sum = 0.0
            for harmonic in 1...30 where Double(harmonic) * f0 < 7800 {
                sum += level / pow(Double(harmonic), 1.5) * sin(2 * Double.pi * f0 * Double(harmonic) * t)
            }
            return Float(sum + 0.01 * (uniform() - 0.5))
        }
        if let effect { samples = try effect.apply(to: samples, sampleRate: 16_000) }
        let power = try MelSpectrogramExtractor(frontend).power(samples).binMajorValues()
        return try LogMelScaling().normalize(power: power)
    }

    /// The detector, calibrated on 100 unmarked synthetic voices, finds `marker` in 30 marked ones
    /// and calls at most 3 of 30 unmarked ones marked.
    func checkDetector(marker: AudioEffect, statistic: ContrastStatistic, seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let calibration = try (0..<100).flatMap { _ in try Self.voice(&random, effect: nil) }
        let detector = try MarkerDetector(
            statistic: statistic, markerRaises: true, clean: calibration, height: 64, width: 64,
            falsePositiveRate: 0.025)
        let marked = try (0..<30).flatMap { _ in try Self.voice(&random, effect: marker) }
        let clean = try (0..<30).flatMap { _ in try Self.voice(&random, effect: nil) }
        let hits = detector.detectionRate(marked, height: 64, width: 64)
        let falseAlarms = detector.detectionRate(clean, height: 64, width: 64)
        #expect(hits.rate.successes == 30, "found \(marker) in \(hits.rate.successes) of 30 marked clips")
        #expect(falseAlarms.rate.successes <= 3, "called \(falseAlarms.rate.successes) of 30 clean clips marked")
        #expect(hits.meanStatistic > falseAlarms.meanStatistic + 0.1)
        #expect(hits.values.count == hits.rate.trials)
        #expect(try #require(MeanDifference(hits.values, falseAlarms.values)).lower > 0.1)
    }

    /// The experiment's default marker, a 4 kHz tone at -26 dBFS, against bands 2-5 away.
    @Test func findsAToneInSyntheticClipsAndNotInCleanOnes() throws {
        let target = try #require(try MelFrontendConfiguration().mel.bands(covering: 4000))
        let statistic = ContrastStatistic(
            targetRows: target,
            referenceRows: [
                (target.lowerBound - 5)..<(target.lowerBound - 2), (target.upperBound + 2)..<(target.upperBound + 5),
            ])
        try checkDetector(
            marker: .tone(frequency: 4000, amplitude: 0.05, start: 0, duration: nil), statistic: statistic, seed: 11)
    }

    /// A band of noise at 3.5-4.5 kHz, -30 dBFS RMS, against bands 2-6 away.
    @Test func findsANoiseBandInSyntheticClipsAndNotInCleanOnes() throws {
        let target = try #require(try MelFrontendConfiguration().mel.bands(centredFrom: 3500, to: 4500))
        let statistic = ContrastStatistic(
            targetRows: target,
            referenceRows: [
                (target.lowerBound - 6)..<(target.lowerBound - 2), (target.upperBound + 2)..<(target.upperBound + 6),
            ])
        try checkDetector(
            marker: .noiseBand(low: 3500, high: 4500, amplitude: 0.03), statistic: statistic, seed: 12)
    }

    /// The spurious experiment's noise bed, a hiss at 4-8 kHz and -30 dBFS RMS, against the bands
    /// 2-6 below it (the references above it fall off the top of the spectrogram and are dropped).
    @Test func findsANoiseBedInSyntheticClipsAndNotInCleanOnes() throws {
        let target = try #require(try MelFrontendConfiguration().mel.bands(centredFrom: 4000, to: 8000))
        #expect(target.upperBound + 2 >= 64, "the bed reaches the top band")
        let statistic = ContrastStatistic(
            targetRows: target,
            referenceRows: [
                (target.lowerBound - 6)..<(target.lowerBound - 2), (target.upperBound + 2)..<(target.upperBound + 6),
            ])
        try checkDetector(
            marker: .noiseBand(low: 4000, high: 8000, amplitude: 0.03), statistic: statistic, seed: 13)
    }

    /// Broadband synthetic clips (harmonics plus noise) with and without a telephone band limit:
    /// the high band against the voice band falls below the calibrated threshold only when limited.
    @Test func findsATelephoneBandLimitInSyntheticClips() throws {
        let frontend = try MelFrontendConfiguration()
        let extractor = MelSpectrogramExtractor(frontend)
        let scaling = try LogMelScaling()
        let length = frontend.sampleCount(forFrames: 64)
        var random = SplitMix64(seed: 5)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        func clip(limited: Bool) throws -> [Float] {
            let f0 = 100 + 150 * uniform()
            let noise = 0.005 + 0.05 * uniform()
            var samples = (0..<length).map { index -> Float in
                let t = Double(index) / 16_000
                return Float(0.1 * sin(2 * Double.pi * f0 * t) + noise * (uniform() - 0.5))
            }
            if limited {
                samples = try AudioEffect.bandPass(low: 300, high: 3400).apply(to: samples, sampleRate: 16_000)
            }
            return scaling.normalize(power: try extractor.power(samples).binMajorValues())
        }
        let statistic = ContrastStatistic(
            targetRows: try #require(frontend.mel.bands(centredFrom: 3700, to: 8000)),
            referenceRows: [try #require(frontend.mel.bands(centredFrom: 400, to: 3200))])
        let detector = try MarkerDetector(
            statistic: statistic, markerRaises: false, clean: try (0..<40).flatMap { _ in try clip(limited: false) },
            height: 64, width: 64, falsePositiveRate: 0.025)
        let limited = detector.detectionRate(
            try (0..<30).flatMap { _ in try clip(limited: true) }, height: 64, width: 64)
        let clean = detector.detectionRate(
            try (0..<30).flatMap { _ in try clip(limited: false) }, height: 64, width: 64)
        #expect(limited.rate.successes == 30, "found the band limit in \(limited.rate.successes) of 30 clips")
        #expect(clean.rate.successes <= 3, "called \(clean.rate.successes) of 30 full-band clips limited")
    }
}
