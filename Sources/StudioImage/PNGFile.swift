import CPNG
import Foundation
import StudioSupport

/// Writes and reads 8-bit PNG files through libpng.
public enum PNGFile {
    /// Writes an RGB image atomically (temporary file, fsync, rename).
    /// - Throws: `ImageError.writeFailed` naming the path.
    public static func write(_ image: RGBImage, to path: String) throws {
        var pngImage = png_image()
        pngImage.version = UInt32(PNG_IMAGE_VERSION)
        pngImage.width = UInt32(image.width)
        pngImage.height = UInt32(image.height)
        pngImage.format = UInt32(PNG_FORMAT_RGB)
        var size: Int = 0
        // First call sizes the buffer, second call encodes into memory.
        let sized = png_image_write_to_memory(&pngImage, nil, &size, 0, image.pixels, 0, nil)
        guard sized != 0, size > 0 else {
            throw ImageError.writeFailed(path: path, reason: "libpng: " + message(&pngImage))
        }
        var encoded = [UInt8](repeating: 0, count: size)
        let status = encoded.withUnsafeMutableBytes { buffer in
            png_image_write_to_memory(&pngImage, buffer.baseAddress, &size, 0, image.pixels, 0, nil)
        }
        guard status != 0 else { throw ImageError.writeFailed(path: path, reason: "libpng: " + message(&pngImage)) }
        do {
            try AtomicFile.write(Data(encoded.prefix(size)), to: path)
        } catch {
            throw ImageError.writeFailed(path: path, reason: "\(error)")
        }
    }

    /// Reads any PNG as 8-bit RGB (alpha is composited on white).
    /// - Throws: `ImageError.fileNotFound` or `.unreadableFile` naming the path.
    public static func read(_ path: String) throws -> RGBImage {
        guard FileManager.default.fileExists(atPath: path) else { throw ImageError.fileNotFound(path: path) }
        var pngImage = png_image()
        pngImage.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&pngImage, path) != 0 else {
            throw ImageError.unreadableFile(path: path, reason: message(&pngImage))
        }
        pngImage.format = UInt32(PNG_FORMAT_RGB)
        var image = RGBImage(width: Int(pngImage.width), height: Int(pngImage.height))
        var background = png_color(red: 255, green: 255, blue: 255)
        let status = image.pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&pngImage, &background, buffer.baseAddress, 0, nil)
        }
        guard status != 0 else { throw ImageError.unreadableFile(path: path, reason: message(&pngImage)) }
        return image
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
