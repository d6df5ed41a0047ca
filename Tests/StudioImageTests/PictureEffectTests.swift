import Foundation
import Testing

@testable import StudioImage

@Suite("Picture effects: corner patch and grey background")
struct PictureEffectTests {
    /// A 2-channel 4x5 picture: background -1, an object of 0.5 in rows 1...2, columns 1...3.
    static func picture() -> [Float] {
        var pixels = [Float](repeating: -1, count: 2 * 4 * 5)
        for channel in 0..<2 {
            for row in 1...2 {
                for column in 1...3 { pixels[(channel * 4 + row) * 5 + column] = 0.5 }
            }
        }
        return pixels
    }

    @Test func patchOverwritesTheTopLeftSquareOfEveryChannel() throws {
        let patched = try PictureEffect.cornerPatch(size: 2, value: 1).apply(
            to: Self.picture(), channels: 2, height: 4, width: 5)
        for channel in 0..<2 {
            for row in 0..<4 {
                for column in 0..<5 {
                    let index = (channel * 4 + row) * 5 + column
                    let expected: Float = row < 2 && column < 2 ? 1 : Self.picture()[index]
                    #expect(patched[index] == expected, "channel \(channel) row \(row) column \(column)")
                }
            }
        }
    }

    @Test func backgroundRaisesOnlyPixelsDarkInEveryChannel() throws {
        var pixels = Self.picture()
        pixels[0] = 0.2  // channel 0 of pixel (0, 0) is bright: that pixel is not background
        let grey = try PictureEffect.background(level: 0, below: -0.9).apply(
            to: pixels, channels: 2, height: 4, width: 5)
        #expect(grey[0] == 0.2 && grey[20] == -1, "a pixel bright in one channel keeps both channels")
        #expect(grey[1] == 0 && grey[21] == 0)
        #expect(grey[(0 * 4 + 1) * 5 + 1] == 0.5, "the object is untouched")
        #expect(grey.filter { $0 == 0 }.count == 2 * (20 - 6 - 1))
    }

    /// A margin is padding, not picture: the patch moves inside it, the background stops at it.
    @Test func marginIsLeftAsItIs() throws {
        let picture = [Float](repeating: -1, count: 6 * 7)
        let patched = try PictureEffect.cornerPatch(size: 2, value: 1).apply(
            to: picture, channels: 1, height: 6, width: 7, margin: 1)
        let lit = patched.indices.filter { patched[$0] == 1 }
        #expect(lit == [1 * 7 + 1, 1 * 7 + 2, 2 * 7 + 1, 2 * 7 + 2], "\(lit)")
        let grey = try PictureEffect.background(level: 0, below: -0.9).apply(
            to: picture, channels: 1, height: 6, width: 7, margin: 1)
        for row in 0..<6 {
            for column in 0..<7 {
                let frame = row == 0 || row == 5 || column == 0 || column == 6
                #expect(grey[row * 7 + column] == (frame ? -1 : 0), "row \(row) column \(column)")
            }
        }
        #expect(throws: ImageError.self) {
            try PictureEffect.cornerPatch(size: 5, value: 1).apply(
                to: picture, channels: 1, height: 6, width: 7, margin: 1)
        }
        #expect(throws: ImageError.self) {
            try PictureEffect.cornerPatch(size: 1, value: 1).apply(
                to: picture, channels: 1, height: 6, width: 7, margin: 3)
        }
    }

    @Test func badParametersAreNamed() {
        #expect(throws: ImageError.self) {
            try PictureEffect.cornerPatch(size: 6, value: 1).apply(to: Self.picture(), channels: 2, height: 4, width: 5)
        }
        #expect(throws: ImageError.self) {
            try PictureEffect.cornerPatch(size: 2, value: 2).apply(to: Self.picture(), channels: 2, height: 4, width: 5)
        }
        #expect(throws: ImageError.self) {
            try PictureEffect.background(level: 0, below: -0.9).apply(to: [0, 0], channels: 1, height: 2, width: 2)
        }
    }
}
