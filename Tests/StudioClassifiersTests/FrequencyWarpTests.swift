import Foundation
import StudioSupport
import Testing

@testable import StudioClassifiers

@Suite("Vocal tract length perturbation")
struct FrequencyWarpTests {
    /// Slaney mel band centres of the default frontend (64 bands, 0-8 kHz), computed here from the
    /// scale's definition: linear below 1 kHz, logarithmic above.
    static let centres: [Float] = {
        let logStep = log(6.4) / 27
        func mel(_ hertz: Double) -> Double { hertz < 1000 ? hertz * 3 / 200 : 15 + log(hertz / 1000) / logStep }
        func hertz(_ mel: Double) -> Double { mel < 15 ? mel * 200 / 3 : 1000 * exp((mel - 15) * logStep) }
        let top = mel(8000)
        return (1...64).map { Float(hertz(top * Double($0) / 65)) }
    }()
    static let warp = FrequencyWarp(bandFrequencies: centres, nyquist: 8000, maximum: 0.1)

    @Test func aFactorOfOneLeavesEveryRowInPlace() {
        let rows = Self.warp.sourceRows(factor: 1)
        #expect(rows.map(\.lower) == Array(0..<64))
        #expect(rows.allSatisfy { $0.weight == 0 })
    }

    /// Below the knee (4.8 kHz times min(alpha, 1)) the source of f is f / alpha; above it the map
    /// is linear and continuous, and Nyquist maps to itself.
    @Test func theMapScalesBelowTheKneeAndKeepsNyquist() {
        let warp = Self.warp
        for alpha: Float in [0.9, 0.95, 1.05, 1.1] {
            #expect(abs(warp.sourceFrequency(of: 1000, factor: alpha) - 1000 / alpha) < 1e-3)
            #expect(abs(warp.sourceFrequency(of: 8000, factor: alpha) - 8000) < 1e-2)
            let knee = 4800 * min(alpha, 1)
            let below = warp.sourceFrequency(of: knee - 0.01, factor: alpha)
            let above = warp.sourceFrequency(of: knee + 0.01, factor: alpha)
            #expect(abs(below - above) < 0.05, "alpha \(alpha): a jump at the knee")
            let grid = stride(from: Float(0), through: 8000, by: 50).map { warp.sourceFrequency(of: $0, factor: alpha) }
            #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 }, "alpha \(alpha): not increasing")
        }
    }

    /// A clip with one bright row at 2 kHz, warped by 1.1, peaks at 2.2 kHz; by 0.9, at 1.8 kHz.
    @Test func aBrightRowMovesByTheFactor() throws {
        let centres = Self.centres
        func nearest(_ hertz: Float) -> Int {
            centres.indices.min { abs(centres[$0] - hertz) < abs(centres[$1] - hertz) }!
        }
        let peak = nearest(2000)
        var image = [Float](repeating: -1, count: 64 * 4)
        for frame in 0..<4 { image[peak * 4 + frame] = 1 }
        for (alpha, expected) in [(Float(1.1), Float(2200)), (0.9, 1800)] {
            let rows = Self.warp.sourceRows(factor: alpha)
            let warped = (0..<64).map { band -> Float in
                let (lower, weight) = rows[band]
                return image[lower * 4] + weight * (image[min(lower + 1, 63) * 4] - image[lower * 4])
            }
            let brightest = try #require(warped.indices.max { warped[$0] < warped[$1] })
            #expect(abs(brightest - nearest(expected)) <= 1, "alpha \(alpha): peak at band \(brightest)")
            #expect(brightest != peak, "alpha \(alpha): the peak did not move")
        }
    }

    /// Through the augmentation (no gain, no masks), each clip is warped by its own factor, so the
    /// peak lands on different rows, all within 10% of 2 kHz.
    @Test func augmentationDrawsAFactorPerClip() {
        let centres = Self.centres
        let peak = centres.indices.min { abs(centres[$0] - 2000) < abs(centres[$1] - 2000) }!
        var augmentation = SpectrogramAugmentation()
        augmentation.gain = 0
        augmentation.frequencyMask = 0
        augmentation.timeMask = 0
        augmentation.frequencyWarp = Self.warp
        let clips = 40
        var values = [Float](repeating: -1, count: clips * 64 * 4)
        for clip in 0..<clips { for frame in 0..<4 { values[clip * 256 + peak * 4 + frame] = 1 } }
        var random = SplitMix64(seed: 5)
        augmentation.apply(&values, count: clips, bands: 64, frames: 4, using: &random)
        var peaks = Set<Int>()
        for clip in 0..<clips {
            let rows = (0..<64).map { values[clip * 256 + $0 * 4] }
            let brightest = rows.indices.max { rows[$0] < rows[$1] }!
            #expect(
                centres[brightest] > 1750 && centres[brightest] < 2250, "clip \(clip): peak at \(centres[brightest]) Hz"
            )
            peaks.insert(brightest)
        }
        #expect(peaks.count >= 3, "only \(peaks.count) distinct peak rows over \(clips) clips")
        #expect(augmentation.summary.hasSuffix("frequency warp 0.1"))
    }
}
