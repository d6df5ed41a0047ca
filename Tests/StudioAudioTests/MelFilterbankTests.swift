import Foundation
import Testing

@testable import StudioAudio

@Suite("Mel scale and filterbank")
struct MelFilterbankTests {
    /// Known answers: `librosa.filters.mel` at five settings (Slaney/HTK, Slaney/no norm, fmin/fmax).
    @Test func matchesLibrosa() throws {
        let fixture = try Fixtures.librosa("mel_filterbanks.json")
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 5)
        for item in cases {
            let htk = try #require(item["htk"] as? Bool)
            let norm = try #require(item["norm"] as? String)
            let configuration = try MelConfiguration(
                sampleRate: try item.int("sampleRate"), fftSize: try item.int("fftSize"),
                melBandCount: try item.int("melBandCount"), minFrequency: try item.double("minFrequency"),
                maxFrequency: try item.double("maxFrequency"), scale: htk ? .htk : .slaney,
                normalization: try #require(MelNormalization(rawValue: norm)))
            let filterbank = MelFilterbank(configuration)
            let what = "mel sr=\(configuration.sampleRate) n_fft=\(configuration.fftSize) htk=\(htk) norm=\(norm)"
            // Both sides build in double and round to float: agreement to float rounding.
            let expected = try item.floats("weights")
            let scale = expected.max() ?? 1
            expectAllClose(filterbank.denseMatrix(), expected, rtol: 1e-5, atol: 1e-6 * scale, what)
            expectAllClose(
                configuration.centerFrequencies.map { Float($0) }, try item.floats("centres"), rtol: 1e-6, atol: 1e-4,
                what)
            #expect(filterbank.emptyBands.isEmpty)
        }
    }

    /// Invariant (librosa `test_melfb`): non-negative filters, each peaking within one FFT bin of its centre.
    @Test(arguments: [MelScale.slaney, .htk])
    func peaksSitAtMelCentres(scale: MelScale) throws {
        let configuration = try MelConfiguration(sampleRate: 16_000, fftSize: 1024, melBandCount: 64, scale: scale)
        let filterbank = MelFilterbank(configuration)
        let dense = filterbank.denseMatrix()
        let bins = filterbank.binCount
        let binWidth = 16_000.0 / 1024
        #expect(dense.allSatisfy { $0 >= 0 })
        for (band, centre) in configuration.centerFrequencies.enumerated() {
            let row = Array(dense[(band * bins)..<((band + 1) * bins)])
            let peak = try #require(row.indices.max { row[$0] < row[$1] })
            #expect(
                abs(Double(peak) * binWidth - centre) <= binWidth,
                "band \(band) peaks at bin \(peak), centre \(centre) Hz")
        }
    }

    @Test(arguments: [MelScale.slaney, .htk])
    func melAndHzAreInverse(scale: MelScale) {
        for hertz in [0.0, 20, 440, 999.9, 1000, 1000.1, 4000, 8000, 22_050] {
            #expect(abs(scale.hz(fromMel: scale.mel(fromHz: hertz)) - hertz) < 1e-9 * max(1, hertz))
        }
        #expect(abs(MelScale.htk.mel(fromHz: 700) - 2595 * log10(2.0)) < 1e-12)
        #expect(abs(MelScale.slaney.mel(fromHz: 1000) - 15) < 1e-12)
    }

    @Test func sparseProjectionEqualsDenseProduct() throws {
        let filterbank = MelFilterbank(try MelConfiguration(sampleRate: 16_000, fftSize: 512, melBandCount: 40))
        let dense = filterbank.denseMatrix()
        let frame = (0..<257).map { Float(($0 * 37) % 101) / 101 }
        let spectrogram = Spectrogram(binCount: 257, frameCount: 1, values: frame)
        let projected = try filterbank.apply(spectrogram).values
        let expected = (0..<40).map { band in (0..<257).reduce(Float(0)) { $0 + dense[band * 257 + $1] * frame[$1] } }
        expectAllClose(projected, expected, rtol: 1e-5, atol: 1e-7, "sparse vs dense")
    }

    @Test func tooManyBandsLeaveEmptyFiltersAndBadRangesThrow() throws {
        let crowded = MelFilterbank(try MelConfiguration(sampleRate: 16_000, fftSize: 64, melBandCount: 128))
        #expect(!crowded.emptyBands.isEmpty)
        #expect(throws: AudioError.self) { try MelConfiguration(sampleRate: 16_000, fftSize: 512, maxFrequency: 9000) }
        #expect(throws: AudioError.self) {
            try MelConfiguration(sampleRate: 16_000, fftSize: 512, minFrequency: 500, maxFrequency: 400)
        }
        #expect(throws: AudioError.self) { try MelConfiguration(sampleRate: 0, fftSize: 512) }
        #expect(throws: AudioError.self) { try MelConfiguration(sampleRate: 16_000, fftSize: 512, melBandCount: 0) }
    }
}
