import Foundation
import StudioSupport

/// How Griffin-Lim chooses its first phase estimate.
public enum InitialPhase: String, Sendable, CaseIterable {
    /// Uniformly random phase from the supplied generator (librosa: `init="random"`).
    case random
    /// Zero phase everywhere (librosa: `init=None`).
    case zero
}

/// Parameters of fast Griffin-Lim (librosa: `griffinlim`).
public struct GriffinLimConfiguration: Sendable, Equatable {
    /// Number of iterations (librosa: `n_iter=32`).
    public let iterations: Int
    /// The fast Griffin-Lim momentum `alpha` (librosa: `momentum=0.99`); 0 gives the original algorithm.
    public let momentum: Float
    /// The first phase estimate.
    public let initialPhase: InitialPhase
    /// Record the spectral convergence of every iteration (costs one square root per bin and iteration).
    public let recordsConvergence: Bool

    /// Validates a configuration. Momentum above 1 is legal but usually unstable (librosa warns).
    /// - Throws: `AudioError.invalidParameter` for negative iterations or momentum.
    public init(
        iterations: Int = 32, momentum: Float = 0.99, initialPhase: InitialPhase = .random,
        recordsConvergence: Bool = false
    ) throws {
        try AudioError.require(iterations >= 0, "iterations", iterations, "must be >= 0")
        try AudioError.require(momentum >= 0 && momentum.isFinite, "momentum", momentum, "must be >= 0")
        self.iterations = iterations
        self.momentum = momentum
        self.initialPhase = initialPhase
        self.recordsConvergence = recordsConvergence
    }

    /// True when the momentum is above 1, where fast Griffin-Lim tends to diverge.
    public var momentumIsUnstable: Bool { momentum > 1 }
}

/// A reconstructed signal and how well its STFT magnitude matches the target.
public struct GriffinLimResult: Sendable {
    /// The reconstructed samples.
    public let samples: [Float]
    /// `||S - |STFT(samples)|||_F / ||S||_F` for the returned signal.
    public let spectralConvergence: Float
    /// Spectral convergence after each iteration, when recorded (empty otherwise).
    public let convergenceHistory: [Float]
}

/// Fast Griffin-Lim phase reconstruction.
///
/// ### References
/// - D. Griffin and J. Lim, "Signal estimation from modified short-time Fourier transform", 1984.
/// - N. Perraudin, P. Balazs, P. L. Sondergaard, "A fast Griffin-Lim algorithm", WASPAA 2013.
public struct GriffinLim: Sendable {
    /// The transform whose frames the magnitude belongs to.
    public let transform: ShortTimeFourierTransform
    /// The iteration parameters.
    public let configuration: GriffinLimConfiguration

    /// Pairs a transform with iteration parameters.
    public init(transform: ShortTimeFourierTransform, configuration: GriffinLimConfiguration) {
        self.transform = transform
        self.configuration = configuration
    }

    /// Estimates a signal whose STFT magnitude approximates `magnitude`.
    /// - Parameters:
    ///   - magnitude: `|STFT|` with the transform's bin count.
    ///   - length: Output length in samples (default: `hopLength * (frames - 1)` when centred).
    ///   - generator: Source of the random initial phase.
    public func reconstruct(
        magnitude: Spectrogram, length: Int? = nil, using generator: inout some RandomNumberGenerator
    ) throws -> GriffinLimResult {
        let bins = transform.binCount
        try AudioError.require(
            magnitude.binCount == bins, "binCount", magnitude.binCount,
            "does not match fftSize \(transform.configuration.fftSize) (expected \(bins) bins)")
        let frames = magnitude.frameCount
        try AudioError.require(frames > 0, "frameCount", frames, "must be > 0")
        if let bad = magnitude.values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw AudioError.invalidParameter(
                name: "magnitude[\(bad)]", value: "\(magnitude.values[bad])", reason: "must be finite and >= 0")
        }
        let state = GriffinLimState(transform: transform, magnitude: magnitude)
        state.initializePhase(configuration.initialPhase, using: &generator)
        var history = [Float]()
        let carry = configuration.momentum / (1 + configuration.momentum)
        for _ in 0..<configuration.iterations {
            let convergence = state.iterate(carry: carry, measures: configuration.recordsConvergence)
            if configuration.recordsConvergence { history.append(convergence) }
        }
        let samples = try transform.inverse(state.currentEstimate(), length: length)
        let rebuilt = try transform.forward(samples).magnitude()
        let convergence = spectralConvergence(target: magnitude, estimate: rebuilt)
        return GriffinLimResult(samples: samples, spectralConvergence: convergence, convergenceHistory: history)
    }
}

/// `||S - E||_F / ||S||_F` over the frames both spectrograms have.
public func spectralConvergence(target: Spectrogram, estimate: Spectrogram) -> Float {
    let count = min(target.values.count, estimate.values.count)
    var difference: Double = 0
    var norm: Double = 0
    for index in 0..<count {
        let value = Double(target.values[index])
        let delta = value - Double(estimate.values[index])
        difference += delta * delta
        norm += value * value
    }
    return norm > 0 ? Float((difference / norm).squareRoot()) : (difference > 0 ? .infinity : 0)
}

/// The buffers of one Griffin-Lim run, reused across iterations (split format, frame-major).
///
/// The phase estimate is never stored on its own: `estimate` holds `S * angles`, which is what the
/// next inverse STFT consumes, and the update writes it directly.
private final class GriffinLimState {
    let transform: ShortTimeFourierTransform
    let magnitude: [Float]
    let frames: Int
    let bins: Int
    let targetNorm: Double
    /// `S * angles`.
    let estimate: SplitSpectra
    /// `STFT(ISTFT(estimate))`.
    var rebuilt: SplitSpectra
    /// The previous `rebuilt` (the momentum term); swapped with `rebuilt` each iteration.
    var previous: SplitSpectra
    var padded: [Float]
    let inverseEnvelope: [Float]
    let scratch: FFTScratch

    init(transform: ShortTimeFourierTransform, magnitude: Spectrogram) {
        self.transform = transform
        self.magnitude = magnitude.values
        frames = magnitude.frameCount
        bins = magnitude.binCount
        targetNorm = magnitude.values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        estimate = SplitSpectra(binCount: bins, frameCapacity: frames)
        rebuilt = SplitSpectra(binCount: bins, frameCapacity: frames)
        previous = SplitSpectra(binCount: bins, frameCapacity: frames)
        let configuration = transform.configuration
        padded = [Float](repeating: 0, count: configuration.fftSize + configuration.hopLength * (frames - 1))
        inverseEnvelope = transform.inverseEnvelope(frameCount: frames)
        scratch = transform.plans.makeScratch()
    }

    /// `estimate = S * exp(i * phase)` with uniform random phase (or zero phase).
    func initializePhase(_ phase: InitialPhase, using generator: inout some RandomNumberGenerator) {
        // One draw from the caller's generator seeds a concrete generator for the 10^5 phases: the
        // result still depends only on the caller's generator, without a generic call per bin.
        var phases = SplitMix64(seed: generator.next())
        for index in 0..<(bins * frames) {
            let value = magnitude[index]
            if phase == .random {
                let angle = 2 * Float.pi * phases.nextUnitFloat()
                estimate.real.pointer[index] = value * cos(angle)
                estimate.imaginary.pointer[index] = value * sin(angle)
            } else {
                estimate.real.pointer[index] = value
                estimate.imaginary.pointer[index] = 0
            }
        }
    }

    /// The current `S * angles`.
    func currentEstimate() -> ComplexSpectrogram { estimate.interleaved(frameCount: frames) }

    /// One fast Griffin-Lim step; returns the spectral convergence of the estimate it started from
    /// (or 0 when `measures` is off).
    func iterate(carry: Float, measures: Bool) -> Float {
        let configuration = transform.configuration
        let fftSize = configuration.fftSize
        let paddedCount = padded.count
        let frames = self.frames
        // The momentum term is the rebuilt spectrum of the previous iteration.
        swap(&rebuilt, &previous)
        // ISTFT: overlap-add and window-envelope normalisation.
        padded.withUnsafeMutableBufferPointer { padded in
            transform.overlapAdd(spectra: estimate, frameCount: frames, output: padded.baseAddress!, scratch: scratch)
            inverseEnvelope.withUnsafeBufferPointer { envelope in
                let output = padded.baseAddress!
                let scale = envelope.baseAddress!
                for index in 0..<paddedCount { output[index] *= scale[index] }
            }
        }
        // STFT of the centre-trimmed signal, straight into `rebuilt`.
        padded.withUnsafeBufferPointer { padded in
            let offset = configuration.center ? fftSize / 2 : 0
            let signal = UnsafeBufferPointer(start: padded.baseAddress! + offset, count: paddedCount - 2 * offset)
            transform.forEachSpectrumBlock(signal: signal, frameCount: frames, scratch: scratch, output: rebuilt) {
                _, _, _, _ in
            }
        }
        let count = bins * frames
        let convergence = measures ? measureConvergence(count: count) : 0
        // angles = (rebuilt - carry * previous) / |...|; estimate = S * angles.
        magnitude.withUnsafeBufferPointer { magnitude in
            let target = magnitude.baseAddress!
            let re = rebuilt.real.pointer
            let im = rebuilt.imaginary.pointer
            let lastRe = previous.real.pointer
            let lastIm = previous.imaginary.pointer
            let nextRe = estimate.real.pointer
            let nextIm = estimate.imaginary.pointer
            for index in 0..<count {
                let updatedRe = re[index] - carry * lastRe[index]
                let updatedIm = im[index] - carry * lastIm[index]
                let scale =
                    target[index]
                    / ((updatedRe * updatedRe + updatedIm * updatedIm).squareRoot() + Float.leastNormalMagnitude)
                nextRe[index] = updatedRe * scale
                nextIm[index] = updatedIm * scale
            }
        }
        return convergence
    }

    /// `||S - |rebuilt|||_F / ||S||_F`.
    private func measureConvergence(count: Int) -> Float {
        var squaredError: Double = 0
        let re = rebuilt.real.pointer
        let im = rebuilt.imaginary.pointer
        magnitude.withUnsafeBufferPointer { magnitude in
            for index in 0..<count {
                let delta = magnitude[index] - (re[index] * re[index] + im[index] * im[index]).squareRoot()
                squaredError += Double(delta * delta)
            }
        }
        return targetNorm > 0 ? Float(squaredError.squareRoot() / targetNorm) : 0
    }
}
