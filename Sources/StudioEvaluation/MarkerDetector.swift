import Foundation

/// A contrast statistic on one image (a log-mel spectrogram, row = mel band, column = frame; or a
/// picture): the mean of a target region minus the mean of reference rows, column by column,
/// then averaged over a window of columns and maximised over window positions.
///
/// A planted tone is a bright line in a few bands: target = those bands, reference = bands a
/// little above and below (so a loud clip is not a marked clip). A telephone band limit empties
/// the bands above 3.4 kHz: target = those bands, reference = the voice band. A picture's corner
/// patch: target = the patch, no reference.
public struct ContrastStatistic: Sendable, Codable, Equatable {
    /// Rows of the target region.
    public var targetRows: Range<Int>
    /// Columns of the target region (nil: every column, then windows slide along them).
    public var targetColumns: Range<Int>?
    /// Reference rows (empty: the target mean itself is the statistic).
    public var referenceRows: [Range<Int>]
    /// Columns per window (nil: all of them).
    public var window: Int?

    /// A statistic.
    public init(
        targetRows: Range<Int>, targetColumns: Range<Int>? = nil, referenceRows: [Range<Int>] = [], window: Int? = nil
    ) {
        self.targetRows = targetRows
        self.targetColumns = targetColumns
        self.referenceRows = referenceRows
        self.window = window
    }

    /// The statistic of an image of `height` rows and `width` columns (row-major floats).
    public func value(_ image: ArraySlice<Float>, height: Int, width: Int) -> Float {
        precondition(image.count == height * width, "ContrastStatistic: \(image.count) floats for \(height)x\(width)")
        let base = image.startIndex
        let columns = targetColumns ?? 0..<width
        let references = referenceRows.flatMap { Array($0.clamped(to: 0..<height)) }
        let targets = Array(targetRows.clamped(to: 0..<height))
        precondition(!targets.isEmpty && !columns.isEmpty, "ContrastStatistic: empty target region")
        let contrast = columns.map { column -> Float in
            let target = targets.reduce(Float(0)) { $0 + image[base + $1 * width + column] } / Float(targets.count)
            guard !references.isEmpty else { return target }
            let reference =
                references.reduce(Float(0)) { $0 + image[base + $1 * width + column] } / Float(references.count)
            return target - reference
        }
        let span = min(window ?? contrast.count, contrast.count)
        var running = contrast[0..<span].reduce(0, +)
        var best = running
        if span < contrast.count {
            for end in span..<contrast.count {
                running += contrast[end] - contrast[end - span]
                best = max(best, running)
            }
        }
        return best / Float(span)
    }

    /// The statistic of each of `count` images stored one after another.
    public func values(_ images: [Float], height: Int, width: Int) -> [Float] {
        let size = height * width
        precondition(images.count % size == 0, "ContrastStatistic: \(images.count) floats is not whole images")
        return (0..<(images.count / size)).map {
            value(images[($0 * size)..<(($0 + 1) * size)], height: height, width: width)
        }
    }
}

/// A marker detector: a contrast statistic and a threshold calibrated on real clips.
///
/// Without marked examples the threshold is the clean clips' `1 - falsePositiveRate` quantile
/// (the `falsePositiveRate` quantile when the marker lowers the statistic). With real marked
/// examples it is halfway between that and the marked clips' `falsePositiveRate` quantile (their
/// other tail), when the two do not overlap: a feature that leaves clean clips at a constant (a
/// picture's black border) would otherwise put the threshold at that constant.
public struct MarkerDetector: Sendable, Codable, Equatable {
    /// The statistic.
    public var statistic: ContrastStatistic
    /// True when the marker raises the statistic (a tone, a patch); false when it lowers it (a band limit).
    public var markerRaises: Bool
    /// The decision threshold.
    public var threshold: Float
    /// The quantile rank used on each side.
    public var falsePositiveRate: Double
    /// Clean and marked real examples the threshold was calibrated on.
    public var calibrationCount: Int, markedCalibrationCount: Int
    /// True when the marked examples' tail moved the threshold (the tails do not overlap).
    public var usesMarkedTail: Bool

    /// Calibrates the threshold on `clean` images (none carries the marker) and, optionally, on
    /// `marked` real images (every one does).
    /// - Throws: `EvaluationError.noCalibrationData` without clean images.
    public init(
        statistic: ContrastStatistic, markerRaises: Bool, clean: [Float], marked: [Float] = [], height: Int,
        width: Int, falsePositiveRate: Double = 0.01
    ) throws {
        func quantile(_ values: [Float], _ rank: Double) -> Float {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, max(0, Int((rank * Double(sorted.count - 1)).rounded())))]
        }
        let cleanValues = statistic.values(clean, height: height, width: width)
        guard !cleanValues.isEmpty else { throw EvaluationError.noCalibrationData }
        let cleanEdge = quantile(cleanValues, markerRaises ? 1 - falsePositiveRate : falsePositiveRate)
        var threshold = cleanEdge
        var usesMarkedTail = false
        let markedValues = statistic.values(marked, height: height, width: width)
        if !markedValues.isEmpty {
            let markedEdge = quantile(markedValues, markerRaises ? falsePositiveRate : 1 - falsePositiveRate)
            if markerRaises ? markedEdge > cleanEdge : markedEdge < cleanEdge {
                threshold = (cleanEdge + markedEdge) / 2
                usesMarkedTail = true
            }
        }
        self.statistic = statistic
        self.markerRaises = markerRaises
        self.threshold = threshold
        self.falsePositiveRate = falsePositiveRate
        calibrationCount = cleanValues.count
        markedCalibrationCount = markedValues.count
        self.usesMarkedTail = usesMarkedTail
    }

    /// True when the image's statistic lies beyond the threshold.
    public func detects(_ value: Float) -> Bool { markerRaises ? value > threshold : value < threshold }

    /// How many of `images` carry the marker, with a Wilson 95% interval, their mean statistic,
    /// and the statistic of every image (for comparing two sets by `MeanDifference`).
    public func detectionRate(_ images: [Float], height: Int, width: Int) -> (
        rate: WilsonInterval, meanStatistic: Float, values: [Float]
    ) {
        let values = statistic.values(images, height: height, width: width)
        let hits = values.filter(detects).count
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Float(values.count)
        return (WilsonInterval(successes: hits, trials: values.count), mean, values)
    }
}
