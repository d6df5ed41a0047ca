import Foundation

extension ProbeGANConfiguration {
    /// A rough estimate of one training iteration's peak memory in bytes: the measured peak of the
    /// quick preset on log-mel input (about 1.5 GB at batch 32, channel base 16, 64x64 pictures,
    /// `Benchmarks/run train`), scaled linearly by batch size, network width and picture area. Good
    /// to a factor of about two, which is what a guard against runaway settings needs.
    public var estimatedPeakBytes: Double {
        let pixels = Double(inputShape.dropFirst().reduce(1, *))
        let quick = ProbeGANConfiguration(
            method: method, preset: .quick, classNames: classNames, unseen: unseen, inputShape: [1, 64, 64])
        let widths = Double(generatorWidths.reduce(0, +)) / Double(max(quick.generatorWidths.reduce(0, +), 1))
        return 1.5e9 * Double(batchSize) / 32 * widths * pixels / 4096
    }

    /// Refuses settings whose estimated peak memory exceeds the machine's physical memory, before
    /// anything is allocated (a batch of 100,000 would otherwise grow until the kernel kills it,
    /// and perhaps another job with it).
    /// - Throws: `ProbeGANError.tooLarge`.
    public func checkMemory(available: UInt64 = ProcessInfo.processInfo.physicalMemory) throws {
        let estimate = estimatedPeakBytes
        guard estimate <= Double(available) else {
            throw ProbeGANError.tooLarge(
                reason: String(
                    format: "batch %d at generator widths %@ needs about %.0f GB, this machine has %.0f GB",
                    batchSize, "\(generatorWidths)", estimate / 1e9, Double(available) / 1e9))
        }
    }
}
