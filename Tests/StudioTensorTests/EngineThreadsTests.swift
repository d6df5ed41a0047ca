import Dispatch
import Foundation
import Testing

@testable import StudioTensor

/// The per-thread limit on the engine's threads, which lets several trainings share the cores.
@Suite("Engine threads per calling thread")
struct EngineThreadsTests {
    /// A convolution large enough to be split by sample, forward and both gradients.
    private func convolutionAndGradients() -> [[Float]] {
        let tape = Tape()
        let x = tape.watch(randomTensor([8, 16, 32, 32], seed: 11))
        let weight = tape.watch(randomTensor([16, 16, 3, 3], seed: 12, scale: 0.2))
        let y = Tensor.conv2d(x, weight: weight, stride: 2, padding: 1)
        let loss = (y * y).sum()
        let gradients = tape.gradients(of: loss, withRespectTo: [x, weight])
        return [y.scalars] + gradients.map(\.scalars)
    }

    @Test func theLimitHoldsForTheCallingThreadOnlyAndIsRestored() {
        let full = EngineThreads.count
        #expect(EngineThreads.current == full)
        EngineThreads.limited(to: 1) {
            #expect(EngineThreads.current == 1)
            EngineThreads.limited(to: 0) { #expect(EngineThreads.current == 1, "a limit below 1 means 1") }
            EngineThreads.limited(to: full + 5) { #expect(EngineThreads.current == full, "never above count") }
            #expect(EngineThreads.current == 1)
            // Another thread, started inside the limit, keeps its own (the full count).
            let seen = UncheckedBox(UnsafeMutablePointer<Int>.allocate(capacity: 1))
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                seen.value.pointee = EngineThreads.current
                done.signal()
            }
            thread.start()
            done.wait()
            #expect(seen.value.pointee == full)
            seen.value.deallocate()
        }
        #expect(EngineThreads.current == full)
    }

    /// One thread or all of them: the same values up to summation order; two limited trainings
    /// at once on two threads: exactly what each gives alone (OpenBLAS is called from both).
    @Test func limitedWorkMatchesAndRunsConcurrently() {
        let reference = convolutionAndGradients()
        let single = EngineThreads.limited(to: 1) { convolutionAndGradients() }
        for (a, b) in zip(single, reference) { expectClose(a, b, rtol: 1e-4, atol: 1e-3, "one thread against all") }
        let results = UncheckedBox(UnsafeMutablePointer<[[Float]]>.allocate(capacity: 2))
        results.value.initialize(repeating: [], count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            results.value[index] = EngineThreads.limited(to: 1) { convolutionAndGradients() }
        }
        #expect(results.value[0] == single)
        #expect(results.value[1] == single)
        results.value.deinitialize(count: 2)
        results.value.deallocate()
    }

    /// Per-thread partial sums (a weight gradient split across threads) are added in chunk order
    /// whatever order the threads finish in: with values where the order changes the float sum,
    /// every arrival order gives the in-order total.
    @Test func partialSumsAddInChunkOrderWhateverTheArrival() {
        let chunks: [(start: Int, value: Float)] = [(0, 1e8), (8, 1), (16, -1e8), (24, 1)]
        var expected: Float = 0
        for chunk in chunks { expected += chunk.value }
        for arrival in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]] {
            let sums = OrderedPartialSums()
            for index in arrival {
                var value = chunks[index].value
                sums.add(start: chunks[index].start, &value, count: 1)
            }
            var total: Float = 0
            sums.accumulate(into: &total, count: 1)
            #expect(total == expected, "arrival \(arrival)")
        }
        var reversed: Float = 0
        for chunk in chunks.reversed() { reversed += chunk.value }
        #expect(reversed != expected, "the values must be order-sensitive for this test to mean anything")
    }
}
