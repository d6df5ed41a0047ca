import CSampleRate

/// The band-limited sinc converters of libsamplerate (Secret Rabbit Code), best first.
public enum ResamplerQuality: String, Sendable, CaseIterable {
    /// 97 dB signal-to-noise, 97% bandwidth: for data that will be analysed.
    case best
    /// 97 dB, 90% bandwidth, several times faster.
    case medium
    /// 97 dB, 80% bandwidth, fastest sinc converter.
    case fastest

    var converterType: Int32 {
        switch self {
        case .best: return Int32(SRC_SINC_BEST_QUALITY)
        case .medium: return Int32(SRC_SINC_MEDIUM_QUALITY)
        case .fastest: return Int32(SRC_SINC_FASTEST)
        }
    }
}

/// Sample-rate conversion with libsamplerate's band-limited sinc interpolation.
public enum Resampler {
    /// Converts `signal` to `sampleRate`; returns it unchanged when the rates agree.
    ///
    /// The output has `round(count * target / source)` samples, so durations are preserved.
    /// - Throws: `AudioError.invalidParameter` for a non-positive or absurd rate,
    ///   `.resamplingFailed` when libsamplerate refuses.
    public static func resample(
        _ signal: AudioSignal, to sampleRate: Int, quality: ResamplerQuality = .best
    ) throws -> AudioSignal {
        try AudioError.require(sampleRate > 0, "sampleRate", sampleRate, "must be > 0")
        try AudioError.require(signal.sampleRate > 0, "sourceSampleRate", signal.sampleRate, "must be > 0")
        if signal.sampleRate == sampleRate { return signal }
        let ratio = Double(sampleRate) / Double(signal.sampleRate)
        // libsamplerate supports ratios in [1/256, 256].
        try AudioError.require(
            ratio >= 1.0 / 256 && ratio <= 256, "sampleRate", sampleRate,
            "is more than 256 times away from the source rate \(signal.sampleRate) Hz")
        let outputCount = Int((Double(signal.samples.count) * ratio).rounded())
        guard outputCount > 0 else { return AudioSignal(samples: [], sampleRate: sampleRate) }
        // Ask for a few more frames than needed; the sinc filter's delay is compensated internally.
        var output = [Float](repeating: 0, count: outputCount + 16)
        var generated = 0
        let status: Int32 = signal.samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                var data = SRC_DATA()
                data.data_in = input.baseAddress
                data.input_frames = Int(input.count)
                data.data_out = out.baseAddress
                data.output_frames = Int(out.count)
                data.src_ratio = ratio
                let result = src_simple(&data, quality.converterType, 1)
                generated = Int(data.output_frames_gen)
                return result
            }
        }
        guard status == 0 else {
            throw AudioError.resamplingFailed(reason: String(cString: src_strerror(status)))
        }
        // Trim or zero-pad to exactly the expected duration.
        if generated < outputCount {
            for index in generated..<outputCount { output[index] = 0 }
        }
        output.removeLast(output.count - outputCount)
        return AudioSignal(samples: output, sampleRate: sampleRate)
    }
}
