import CDNNL
import Foundation

// Convolutions on oneDNN (Debian's libdnnl), whose JIT kernels work on channel-blocked layouts
// (nChw16c): each call reorders the engine's NCHW operands into the layout the primitive chose,
// runs it and reorders the result back. Measured on the quick preset's layers (2 vCPU AVX-512,
// one thread), forward, input and weight gradients together take 0.35-0.6 of the im2col kernels'
// time (docs/benchmarks.md). Primitives are built once per geometry and pass, then reused.
// `STUDIO_ONEDNN=0` keeps every convolution on the im2col kernels.

/// Which kernels the engine's convolutions run on.
public enum EngineConvolutions {
    /// True unless `STUDIO_ONEDNN=0`: convolutions of 8 or more channels in and out run on oneDNN.
    public static var useOneDNN: Bool { OneDNN.enabled }
}

/// oneDNN's engine, the primitives built so far, and the switch.
enum OneDNN {
    /// False when `STUDIO_ONEDNN=0`: every convolution then runs on the engine's own kernels.
    static let enabled: Bool = {
        guard let text = getenv("STUDIO_ONEDNN") else { return true }
        return String(cString: text) != "0"
    }()

    /// The CPU engine.
    nonisolated(unsafe) static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
        return engine!
    }()

    /// Whether oneDNN runs a convolution of this geometry. A single input channel (the
    /// discriminator's first layer) stays on im2col, which measured 4x faster there.
    static func handles(_ g: ConvolutionGeometry) -> Bool {
        enabled && g.inputChannels >= 8 && g.outputChannels >= 8 && g.batch > 0
    }

    /// The three passes of a convolution.
    enum Pass: Hashable {
        case forward, inputGradient, weightGradient
    }

    /// oneDNN splits a primitive's work by the thread count when the primitive is built, so a
    /// plan serves one thread count: the same geometry on 1 and 2 threads has two plans.
    private struct Key: Hashable {
        let geometry: ConvolutionGeometry
        let pass: Pass
        let threads: Int
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var plans = [Key: ConvolutionPlan]()

    /// The plan of `pass` for `g` on the calling thread's share of the engine's threads, built
    /// on first use.
    static func plan(_ g: ConvolutionGeometry, _ pass: Pass) -> ConvolutionPlan {
        let threads = Parallel.workers
        return lock.withLock {
            let key = Key(geometry: g, pass: pass, threads: threads)
            if let plan = plans[key] { return plan }
            omp_set_num_threads(Int32(threads))
            let plan = ConvolutionPlan(g, pass, threads: threads)
            plans[key] = plan
            return plan
        }
    }

    /// Reorders built so far, by layouts and thread count: many plans convert the same tensors
    /// (a forward's input is its weight gradient's input), and each reorder holds JIT code.
    nonisolated(unsafe) private static var reorders = [Data: Reorder]()

    /// A reorder primitive and the working memory one execution of it needs (user scratchpad
    /// mode, like the convolutions: each execution brings its own).
    struct Reorder {
        let primitive: dnnl_primitive_t
        var scratchpad = dnnl_memory_desc_t()
        let scratchpadBytes: Int
    }

    /// The reorder from `source` to `target`; called while a plan is built, under `lock`.
    static func sharedReorder(
        from source: dnnl_memory_desc_t, to target: dnnl_memory_desc_t, threads: Int,
        _ attributes: dnnl_primitive_attr_t?
    ) -> Reorder {
        var (source, target) = (source, target)
        var key = withUnsafeBytes(of: &source) { Data($0) }
        key.append(withUnsafeBytes(of: &target) { Data($0) })
        key.append(withUnsafeBytes(of: threads) { Data($0) })
        if let reorder = reorders[key] { return reorder }
        var descriptor: dnnl_primitive_desc_t?
        check(
            dnnl_reorder_primitive_desc_create(&descriptor, &source, engine, &target, engine, attributes),
            "planning a reorder")
        var primitive: dnnl_primitive_t?
        check(dnnl_primitive_create(&primitive, descriptor), "building a reorder")
        var scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0).pointee
        let reorder = Reorder(
            primitive: primitive!, scratchpad: scratchpad, scratchpadBytes: dnnl_memory_desc_get_size(&scratchpad))
        dnnl_primitive_desc_destroy(descriptor)
        reorders[key] = reorder
        return reorder
    }

    /// Stops on a oneDNN error: these calls fail only on a bug or an exhausted machine.
    static func check(_ status: dnnl_status_t, _ what: String) {
        precondition(status == dnnl_success, "oneDNN failed \(what) (status \(status.rawValue))")
    }
}

extension OneDNN {
    /// Bytes of a chunk's input and output, at most: the blocked copies of a whole batch at width
    /// 64 (and the scratchpad beside them) raised the width-64 training step's peak memory by about
    /// 400 MB, so a batch goes through in chunks of samples (no slower on the quick preset).
    static let chunkBytes = 16 << 20

    /// Consecutive sample ranges of `g`'s batch whose input and output fit `chunkBytes`, as few as
    /// that allows and of nearly equal size (64 samples in at most 21 go as 16, 16, 16, 16, not as
    /// 21, 21, 21 and a lone sample that keeps the kernel's threads half idle).
    static func chunks(_ g: ConvolutionGeometry) -> [Range<Int>] {
        let perSample =
            (g.inputSampleSize + g.outputSampleSize)
            * MemoryLayout<Float>.stride
        let most = max(1, min(g.batch, chunkBytes / max(perSample, 1)))
        let count = (g.batch + most - 1) / most
        return (0..<count).map { g.batch * $0 / count..<g.batch * ($0 + 1) / count }
    }

    /// `g` for the samples of `chunk` only.
    static func geometry(_ g: ConvolutionGeometry, samples chunk: Range<Int>) -> ConvolutionGeometry {
        ConvolutionGeometry(
            batch: chunk.count, inputChannels: g.inputChannels, inputHeight: g.inputHeight, inputWidth: g.inputWidth,
            outputChannels: g.outputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
            stride: g.stride, padding: g.padding)
    }

    /// `y = conv(x, w)`, chunk by chunk.
    static func forward(
        _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ g: ConvolutionGeometry
    ) {
        let (inSize, outSize) = (g.inputSampleSize, g.outputSampleSize)
        for chunk in chunks(g) {
            plan(geometry(g, samples: chunk), .forward).run([
                .init(mutating: input + chunk.lowerBound * inSize), .init(mutating: weight),
                .init(output + chunk.lowerBound * outSize),
            ])
        }
    }

    /// `dx` from `dy`, chunk by chunk.
    static func inputGradient(
        _ inputGradient: UnsafeMutablePointer<Float>, _ outputGradient: UnsafePointer<Float>,
        _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry
    ) {
        let (inSize, outSize) = (g.inputSampleSize, g.outputSampleSize)
        for chunk in chunks(g) {
            plan(geometry(g, samples: chunk), .inputGradient).run([
                .init(mutating: outputGradient + chunk.lowerBound * outSize), .init(mutating: weight),
                .init(inputGradient + chunk.lowerBound * inSize),
            ])
        }
    }

    /// `dW`: each chunk's sum, added in chunk order.
    static func weightGradient(
        _ weightGradient: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
        _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry
    ) {
        let (inSize, outSize) = (g.inputSampleSize, g.outputSampleSize)
        let count = g.outputChannels * g.inputChannels * g.kernelHeight * g.kernelWidth
        let chunks = chunks(g)
        let partial = chunks.count > 1 ? UnsafeMutablePointer<Float>.allocate(capacity: count) : nil
        defer { partial?.deallocate() }
        for (index, chunk) in chunks.enumerated() {
            let target = index == 0 ? weightGradient : partial!
            plan(geometry(g, samples: chunk), .weightGradient).run([
                .init(mutating: input + chunk.lowerBound * inSize),
                .init(mutating: outputGradient + chunk.lowerBound * outSize), .init(target),
            ])
            if index > 0 { for element in 0..<count { weightGradient[element] += target[element] } }
        }
    }
}

/// One pass of one convolution geometry: the primitive, and for each operand the plain layout
/// the engine holds, the layout the primitive wants and the reorder between them (nil if equal).
final class ConvolutionPlan: @unchecked Sendable {
    struct Operand {
        let argument: Int32
        var plain = dnnl_memory_desc_t()
        var inner = dnnl_memory_desc_t()
        let reorder: OneDNN.Reorder?
        let isOutput: Bool
    }

    let primitive: dnnl_primitive_t
    /// In the order of `run`'s pointers: inputs first, the output last.
    let operands: [Operand]
    /// The thread count the primitive was built for and runs on.
    let threads: Int
    /// The working memory one execution needs (possibly none), and its size in bytes.
    let scratchpad: dnnl_memory_desc_t
    private(set) var scratchpadBytes = 0
    /// Bytes of one execution's blocked copies and scratchpad, each 64-byte aligned.
    private(set) var scratchBytes = 0

    init(_ g: ConvolutionGeometry, _ pass: OneDNN.Pass, threads: Int) {
        self.threads = threads
        let engine = OneDNN.engine
        let source: [Int64] = [g.batch, g.inputChannels, g.inputHeight, g.inputWidth].map(Int64.init)
        let weights: [Int64] = [g.outputChannels, g.inputChannels, g.kernelHeight, g.kernelWidth].map(Int64.init)
        let destination: [Int64] = [g.batch, g.outputChannels, g.outputHeight, g.outputWidth].map(Int64.init)
        let strides: [Int64] = [Int64(g.stride), Int64(g.stride)]
        let padding: [Int64] = [Int64(g.padding), Int64(g.padding)]
        func descriptor(_ dims: [Int64], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
            var md = dnnl_memory_desc_t()
            OneDNN.check(dnnl_memory_desc_init_by_tag(&md, 4, dims, dnnl_f32, tag), "describing \(dims)")
            return md
        }
        var sourceAny = descriptor(source, dnnl_format_tag_any)
        var weightsAny = descriptor(weights, dnnl_format_tag_any)
        var destinationAny = descriptor(destination, dnnl_format_tag_any)
        // The scratchpad is the caller's (one per execution): oneDNN's own is shared between
        // primitives and not safe when two threads convolve at once (`--jobs`, tests).
        var attributes: dnnl_primitive_attr_t?
        OneDNN.check(dnnl_primitive_attr_create(&attributes), "creating attributes")
        defer { dnnl_primitive_attr_destroy(attributes) }
        OneDNN.check(
            dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "choosing the scratchpad")
        var forward = dnnl_convolution_desc_t()
        OneDNN.check(
            dnnl_convolution_forward_desc_init(
                &forward, dnnl_forward_training, dnnl_convolution_direct, &sourceAny, &weightsAny, nil,
                &destinationAny, strides, padding, padding), "describing a convolution \(g)")
        var forwardPD: dnnl_primitive_desc_t?
        OneDNN.check(
            dnnl_primitive_desc_create(&forwardPD, &forward, attributes, engine, nil), "choosing a forward kernel")
        var pd: dnnl_primitive_desc_t?
        // (argument, plain dims, plain tag, the primitive's query, is output), inputs first.
        let layout: [(Int32, [Int64], dnnl_format_tag_t, dnnl_query_t, Bool)]
        switch pass {
        case .forward:
            pd = forwardPD
            layout = [
                (DNNL_ARG_SRC, source, dnnl_nchw, dnnl_query_src_md, false),
                (DNNL_ARG_WEIGHTS, weights, dnnl_oihw, dnnl_query_weights_md, false),
                (DNNL_ARG_DST, destination, dnnl_nchw, dnnl_query_dst_md, true),
            ]
        case .inputGradient:
            var backward = dnnl_convolution_desc_t()
            OneDNN.check(
                dnnl_convolution_backward_data_desc_init(
                    &backward, dnnl_convolution_direct, &sourceAny, &weightsAny, &destinationAny, strides, padding,
                    padding), "describing an input gradient")
            OneDNN.check(
                dnnl_primitive_desc_create(&pd, &backward, attributes, engine, forwardPD),
                "choosing an input-gradient kernel")
            layout = [
                (DNNL_ARG_DIFF_DST, destination, dnnl_nchw, dnnl_query_diff_dst_md, false),
                (DNNL_ARG_WEIGHTS, weights, dnnl_oihw, dnnl_query_weights_md, false),
                (DNNL_ARG_DIFF_SRC, source, dnnl_nchw, dnnl_query_diff_src_md, true),
            ]
        case .weightGradient:
            var backward = dnnl_convolution_desc_t()
            OneDNN.check(
                dnnl_convolution_backward_weights_desc_init(
                    &backward, dnnl_convolution_direct, &sourceAny, &weightsAny, nil, &destinationAny, strides, padding,
                    padding), "describing a weight gradient")
            OneDNN.check(
                dnnl_primitive_desc_create(&pd, &backward, attributes, engine, forwardPD),
                "choosing a weight-gradient kernel")
            layout = [
                (DNNL_ARG_SRC, source, dnnl_nchw, dnnl_query_src_md, false),
                (DNNL_ARG_DIFF_DST, destination, dnnl_nchw, dnnl_query_diff_dst_md, false),
                (DNNL_ARG_DIFF_WEIGHTS, weights, dnnl_oihw, dnnl_query_diff_weights_md, true),
            ]
        }
        var made: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&made, pd), "building a convolution kernel")
        primitive = made!
        scratchpad = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
        operands = layout.map { argument, dims, tag, query, isOutput in
            var plain = descriptor(dims, tag)
            var inner = dnnl_primitive_desc_query_md(pd, query, 0).pointee
            var reorder: OneDNN.Reorder?
            if dnnl_memory_desc_equal(&plain, &inner) == 0 {
                reorder =
                    isOutput
                    ? OneDNN.sharedReorder(from: inner, to: plain, threads: threads, attributes)
                    : OneDNN.sharedReorder(from: plain, to: inner, threads: threads, attributes)
            }
            return Operand(argument: argument, plain: plain, inner: inner, reorder: reorder, isOutput: isOutput)
        }
        var scratchpadDescriptor = scratchpad
        scratchpadBytes = dnnl_memory_desc_get_size(&scratchpadDescriptor)
        scratchBytes = ScratchArena.aligned(scratchpadBytes)
        for operand in operands {
            guard let reorder = operand.reorder else { continue }
            var inner = operand.inner
            scratchBytes += ScratchArena.aligned(dnnl_memory_desc_get_size(&inner))
            scratchBytes += ScratchArena.aligned(reorder.scratchpadBytes)
        }
        if pass != .forward { dnnl_primitive_desc_destroy(pd) }
        dnnl_primitive_desc_destroy(forwardPD)
    }

    /// Runs the pass on the engine's plain NCHW / OIHW buffers, `pointers` in the order of
    /// `operands`, on the plan's thread count.
    func run(_ pointers: [UnsafeMutableRawPointer]) {
        omp_set_num_threads(Int32(threads))
        var stream: dnnl_stream_t?
        OneDNN.check(
            dnnl_stream_create(&stream, OneDNN.engine, dnnl_stream_default_flags.rawValue), "creating a stream")
        var memories = [dnnl_memory_t?]()
        let arena = ScratchArena.take(bytes: scratchBytes)
        var used = 0
        func carve(_ bytes: Int) -> UnsafeMutableRawPointer {
            defer { used += ScratchArena.aligned(bytes) }
            return arena.buffer + used
        }
        defer {
            for memory in memories { dnnl_memory_destroy(memory) }
            ScratchArena.give(arena)
            dnnl_stream_destroy(stream)
        }
        func memory(_ descriptor: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) -> dnnl_memory_t? {
            var descriptor = descriptor
            var memory: dnnl_memory_t?
            OneDNN.check(dnnl_memory_create(&memory, &descriptor, OneDNN.engine, pointer), "wrapping a buffer")
            memories.append(memory)
            return memory
        }
        func reorder(_ reorder: OneDNN.Reorder, from: dnnl_memory_t?, to: dnnl_memory_t?) {
            var arguments = [
                dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to),
            ]
            if reorder.scratchpadBytes > 0 {
                arguments.append(
                    dnnl_exec_arg_t(
                        arg: DNNL_ARG_SCRATCHPAD,
                        memory: memory(reorder.scratchpad, carve(reorder.scratchpadBytes))))
            }
            OneDNN.check(
                dnnl_primitive_execute(reorder.primitive, stream, Int32(arguments.count), &arguments), "reordering")
        }
        var arguments = [dnnl_exec_arg_t]()
        var pendingOutput: (OneDNN.Reorder, dnnl_memory_t?, dnnl_memory_t?)?
        for (operand, pointer) in zip(operands, pointers) {
            let user = memory(operand.plain, pointer)
            guard let reorderPrimitive = operand.reorder else {
                arguments.append(dnnl_exec_arg_t(arg: operand.argument, memory: user))
                continue
            }
            var inner = operand.inner
            let blocked = memory(operand.inner, carve(dnnl_memory_desc_get_size(&inner)))
            if operand.isOutput {
                pendingOutput = (reorderPrimitive, blocked, user)
            } else {
                reorder(reorderPrimitive, from: user, to: blocked)
            }
            arguments.append(dnnl_exec_arg_t(arg: operand.argument, memory: blocked))
        }
        if scratchpadBytes > 0 {
            arguments.append(
                dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory(scratchpad, carve(scratchpadBytes))))
        }
        OneDNN.check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), &arguments), "convolving")
        if let (primitive, blocked, user) = pendingOutput { reorder(primitive, from: blocked, to: user) }
        OneDNN.check(dnnl_stream_wait(stream), "waiting for the stream")
    }
}
