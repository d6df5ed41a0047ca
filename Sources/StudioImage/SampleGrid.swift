/// A grid of generated or real samples, one labelled row per class: [-1, 1] images drawn either as
/// spectrograms (one channel through a colormap, lowest row of the image at the bottom) or as
/// pictures (1 or 3 channels, grey or colour).
public struct SampleGrid: Sendable {
    /// How a tile's values become pixels.
    public enum Style: Sendable {
        /// One channel, colormapped, image row 0 (lowest mel band) drawn at the bottom.
        case spectrogram(Colormap)
        /// Grey (1 channel) or RGB (3 channels), row 0 at the top.
        case picture
    }

    /// Tile layout `[C, H, W]`.
    public let channels: Int, height: Int, width: Int
    /// Pixels per value.
    public var scale = 2
    /// Pixels between tiles.
    public var gap = 2
    /// How values are drawn.
    public var style: Style

    /// A grid for tiles of the given layout.
    public init(channels: Int, height: Int, width: Int, style: Style) throws {
        var isPicture = false
        if case .picture = style { isPicture = true }
        guard channels == 1 || (channels == 3 && isPicture), height > 0, width > 0 else {
            throw ImageError.invalidParameter(
                name: "tile layout", value: "\(channels)x\(height)x\(width)",
                reason: "tiles need 1 channel (or 3 for pictures) and a positive size")
        }
        self.channels = channels
        self.height = height
        self.width = width
        self.style = style
    }

    /// Renders `rows` (label and tiles, each `C * H * W` values in [-1, 1]).
    public func render(rows: [(label: String, tiles: [[Float]])]) -> RGBImage {
        let labelWidth = (rows.map { BitmapFont.width(of: $0.label, scale: 1) }.max() ?? 0) + 8
        let columns = rows.map(\.tiles.count).max() ?? 0
        let tileWidth = width * scale
        let tileHeight = height * scale
        let imageWidth = labelWidth + max(columns, 1) * (tileWidth + gap) + gap
        let imageHeight = max(rows.count, 1) * (tileHeight + gap) + gap
        var image = RGBImage(width: imageWidth, height: imageHeight, fill: .white)
        for (rowIndex, row) in rows.enumerated() {
            let top = gap + rowIndex * (tileHeight + gap)
            BitmapFont.draw(
                row.label, at: 4, top + (tileHeight - BitmapFont.glyphHeight) / 2, color: .black, on: &image)
            for (column, tile) in row.tiles.enumerated() {
                draw(tile, left: labelWidth + column * (tileWidth + gap), top: top, on: &image)
            }
        }
        return image
    }

    /// One tile alone, `width * scale` by `height * scale` pixels.
    public func render(tile: [Float]) -> RGBImage {
        var image = RGBImage(width: width * scale, height: height * scale, fill: .white)
        draw(tile, left: 0, top: 0, on: &image)
        return image
    }

    private func draw(_ tile: [Float], left: Int, top: Int, on image: inout RGBImage) {
        let plane = height * width
        for y in 0..<height {
            for x in 0..<width {
                let color: RGB
                switch style {
                case .spectrogram(let colormap):
                    let row = height - 1 - y
                    color = colormap.color((tile[row * width + x] + 1) / 2)
                case .picture:
                    func level(_ channel: Int) -> UInt8 {
                        let value = (tile[channel * plane + y * width + x] + 1) / 2
                        return UInt8((min(max(value.isNaN ? 0 : value, 0), 1) * 255).rounded())
                    }
                    color = channels == 3 ? RGB(level(0), level(1), level(2)) : RGB(level(0), level(0), level(0))
                }
                image.fill(x: left + x * scale, y: top + y * scale, width: scale, height: scale, with: color)
            }
        }
    }
}
