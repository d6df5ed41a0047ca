import Foundation

/// Controlled changes to a picture in [-1, 1] (`[C, H, W]` floats), for experiments that plant a
/// feature and look for it again: a corner patch (a marker) and a grey background (a confound).
public enum PictureEffect: Sendable, Codable, Equatable, CustomStringConvertible {
    /// A `size` x `size` square of `value` in the top-left corner (inside `apply`'s margin), every channel.
    case cornerPatch(size: Int, value: Float)
    /// Background pixels (every channel at or below `below`) raised to `level`: the object on a
    /// grey backdrop instead of black.
    case background(level: Float, below: Float)

    /// A short description for reports.
    public var description: String {
        switch self {
        case .cornerPatch(let size, let value):
            return String(format: "a %dx%d patch of value %.2f in the top-left corner", size, size, value)
        case .background(let level, let below):
            return String(format: "a grey background (pixels at or below %.2f raised to %.2f)", below, level)
        }
    }

    /// The picture with the effect applied inside a frame `margin` pixels wide, which stays as it
    /// is: the padding a data set adds around its pictures is not part of them (Fashion-MNIST's
    /// 28 x 28 pictures padded to 32 x 32 have a margin of 2). The corner patch sits in the top-left
    /// corner inside the frame.
    /// - Throws: `ImageError.invalidParameter` for a patch larger than the picture inside the
    ///   margin, a margin that leaves no picture, or values outside [-1, 1].
    public func apply(to pixels: [Float], channels: Int, height: Int, width: Int, margin: Int = 0) throws -> [Float] {
        guard pixels.count == channels * height * width else {
            throw ImageError.invalidParameter(
                name: "pixels", value: "\(pixels.count)", reason: "expected \(channels)x\(height)x\(width)")
        }
        let inside = min(height, width) - 2 * margin
        guard margin >= 0, inside >= 1 else {
            throw ImageError.invalidParameter(
                name: "margin", value: "\(margin)", reason: "must leave a picture inside a \(height)x\(width) one")
        }
        var output = pixels
        switch self {
        case .cornerPatch(let size, let value):
            guard size >= 1, size <= inside else {
                throw ImageError.invalidParameter(name: "size", value: "\(size)", reason: "must lie in 1...\(inside)")
            }
            guard (-1...1).contains(value) else {
                throw ImageError.invalidParameter(name: "value", value: "\(value)", reason: "must lie in [-1, 1]")
            }
            for channel in 0..<channels {
                for row in margin..<(margin + size) {
                    for column in margin..<(margin + size) { output[(channel * height + row) * width + column] = value }
                }
            }
        case .background(let level, let below):
            guard (-1...1).contains(level), (-1...1).contains(below) else {
                throw ImageError.invalidParameter(
                    name: "level", value: "\(level)", reason: "level and threshold must lie in [-1, 1]")
            }
            let plane = height * width
            for row in margin..<(height - margin) {
                for column in margin..<(width - margin) {
                    let index = row * width + column
                    guard (0..<channels).allSatisfy({ pixels[$0 * plane + index] <= below }) else { continue }
                    for channel in 0..<channels { output[channel * plane + index] = level }
                }
            }
        }
        return output
    }
}
