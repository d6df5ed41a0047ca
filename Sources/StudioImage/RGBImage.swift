/// An 8-bit RGB raster, row 0 at the top.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Interleaved R, G, B bytes, row by row.
    public var pixels: [UInt8]

    /// A canvas filled with one colour.
    public init(width: Int, height: Int, fill: RGB = .white) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size, got \(width) x \(height)")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<(width * height) {
            pixels[3 * index] = fill.red
            pixels[3 * index + 1] = fill.green
            pixels[3 * index + 2] = fill.blue
        }
        self.pixels = pixels
    }

    /// The colour at a pixel.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            let index = 3 * (y * width + x)
            return RGB(pixels[index], pixels[index + 1], pixels[index + 2])
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let index = 3 * (y * width + x)
            pixels[index] = newValue.red
            pixels[index + 1] = newValue.green
            pixels[index + 2] = newValue.blue
        }
    }

    /// Fills a rectangle (clipped to the canvas).
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, with color: RGB) {
        let rows = max(0, y)..<max(max(0, y), min(self.height, y + height))
        let columns = max(0, x)..<max(max(0, x), min(self.width, x + width))
        for row in rows {
            for column in columns { self[column, row] = color }
        }
    }
}

/// An 8-bit colour.
public struct RGB: Sendable, Equatable {
    /// Red.
    public var red: UInt8
    /// Green.
    public var green: UInt8
    /// Blue.
    public var blue: UInt8

    /// A colour from its components.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// White.
    public static let white = RGB(255, 255, 255)
    /// Black.
    public static let black = RGB(0, 0, 0)
    /// A mid grey for grid lines and frames.
    public static let gray = RGB(110, 110, 110)
}

extension RGBImage {
    /// `images` one under another, left-aligned on a white canvas as wide as the widest.
    public static func stacked(_ images: [RGBImage]) -> RGBImage {
        precondition(!images.isEmpty, "RGBImage.stacked needs at least one image")
        var canvas = RGBImage(width: images.map(\.width).max()!, height: images.map(\.height).reduce(0, +))
        var top = 0
        for image in images {
            for row in 0..<image.height {
                let source = 3 * row * image.width
                let target = 3 * ((top + row) * canvas.width)
                canvas.pixels.replaceSubrange(
                    target..<(target + 3 * image.width), with: image.pixels[source..<(source + 3 * image.width)])
            }
            top += image.height
        }
        return canvas
    }
}
