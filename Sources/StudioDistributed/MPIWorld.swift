import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The processes one `mpirun` started, reached through Open MPI's C library, which is loaded when
/// the program runs under `mpirun`: a build needs no MPI, and a program started without `mpirun`
/// never touches it.
///
/// Only byte-wise communication is used (gather to all, a trade between two ranks, broadcast,
/// barrier); every sum is made by the caller in a fixed order, so results do not depend on MPI's
/// reduction order.
public final class MPIWorld: @unchecked Sendable {
    /// This process's rank and the number of ranks.
    public let rank: Int, size: Int
    private let api: OpenMPI

    /// The world of the launcher that started this process, initialised on first use; nil when no
    /// MPI launcher started it (see `isLaunched`).
    /// - Throws: `MPIError` when the environment names an `mpirun` but Open MPI cannot be loaded.
    public static func launched() throws -> MPIWorld? {
        try launchLock.withLock {
            if let world = shared { return world }
            guard isLaunched else { return nil }
            let api = try OpenMPI.load()
            var provided: Int32 = 0
            try api.check(api.initThread(nil, nil, OpenMPI.threadSerialized, &provided), "MPI_Init_thread")
            guard provided >= OpenMPI.threadSerialized else {
                throw MPIError.unsupported(
                    reason: "Open MPI offers thread level \(provided), the studio needs 2 (serialized)")
            }
            var rank: Int32 = 0
            var size: Int32 = 0
            try api.check(api.commRank(api.world, &rank), "MPI_Comm_rank")
            try api.check(api.commSize(api.world, &size), "MPI_Comm_size")
            let world = MPIWorld(rank: Int(rank), size: Int(size), api: api)
            shared = world
            return world
        }
    }

    /// True when a launcher started this process as one of several MPI ranks: `mpirun` (Open MPI
    /// sets `OMPI_COMM_WORLD_SIZE`) or a PMIx launcher such as `srun --mpi=pmix` (`PMIX_RANK`, and
    /// under Slurm `SLURM_NTASKS`). A launch of one rank counts as none: the process runs alone.
    public static var isLaunched: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap({ Int($0) }) { return size > 1 }
        guard environment["PMIX_RANK"] != nil else { return false }
        return environment["SLURM_NTASKS"].flatMap { Int($0) }.map { $0 > 1 } ?? true
    }

    nonisolated(unsafe) private static var shared: MPIWorld?
    private static let launchLock = NSLock()

    private init(rank: Int, size: Int, api: OpenMPI) {
        self.rank = rank
        self.size = size
        self.api = api
    }

    /// Every rank's `bytes` (all of one length), in rank order. One thread at a time.
    public func gatherToAll(_ bytes: [UInt8]) -> [[UInt8]] {
        let length = bytes.count
        var all = [UInt8](repeating: 0, count: length * size)
        let status = bytes.withUnsafeBytes { send in
            all.withUnsafeMutableBytes { receive in
                api.allgather(
                    send.baseAddress, Int32(length), api.byte, receive.baseAddress, Int32(length), api.byte, api.world)
            }
        }
        precondition(status == 0, "MPI_Allgather failed (\(status))")
        return (0..<size).map { Array(all[($0 * length)..<(($0 + 1) * length)]) }
    }

    /// Sends `bytes` to rank `partner` and returns the bytes it sends here (of the same length).
    public func trade(_ bytes: [UInt8], with partner: Int) -> [UInt8] {
        var received = [UInt8](repeating: 0, count: bytes.count)
        let status = bytes.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { receive in
                api.sendrecv(
                    send.baseAddress, Int32(bytes.count), api.byte, Int32(partner), 7, receive.baseAddress,
                    Int32(bytes.count), api.byte, Int32(partner), 7, api.world, nil)
            }
        }
        precondition(status == 0, "MPI_Sendrecv failed (\(status))")
        return received
    }

    /// `bytes` as rank `root` has them, on every rank; other ranks pass a buffer of the same
    /// length. Waits by polling with short sleeps, so a rank waiting for a long phase of the root
    /// (an evaluation, a classifier's training) leaves the cores to it.
    public func broadcast(_ bytes: inout [UInt8], from root: Int) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        defer { buffer.deallocate() }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        var request: OpaquePointer?
        let started = api.ibcast(buffer.baseAddress, Int32(bytes.count), api.byte, Int32(root), api.world, &request)
        precondition(started == 0, "MPI_Ibcast failed (\(started))")
        waitIdly(&request, "MPI_Ibcast")
        bytes = Array(buffer.prefix(bytes.count))
    }

    /// Waits until every rank has reached this point, polling with short sleeps.
    public func barrier() {
        var request: OpaquePointer?
        precondition(api.ibarrier(api.world, &request) == 0, "MPI_Ibarrier failed")
        waitIdly(&request, "MPI_Ibarrier")
    }

    private func waitIdly(_ request: inout OpaquePointer?, _ name: String) {
        var done: Int32 = 0
        var pause: useconds_t = 50
        while true {
            precondition(api.test(&request, &done, nil) == 0, "\(name) failed")
            if done != 0 { return }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Stops every rank (after an error on this one: the others would wait forever).
    public func abort(code: Int32) -> Never {
        _ = api.abort(api.world, code)
        exit(code)
    }

    /// Ends MPI on this rank (after the last collective).
    public func finalize() { _ = api.finalize() }
}

/// Errors of starting MPI.
public enum MPIError: Error, CustomStringConvertible, Equatable {
    /// Open MPI's library is not installed or lacks a function.
    case notLoaded(reason: String)
    /// A call failed or the library lacks a needed capability.
    case unsupported(reason: String)

    /// A message that names the culprit and a way out.
    public var description: String {
        switch self {
        case .notLoaded(let reason):
            return "started by mpirun, but Open MPI cannot be loaded: \(reason); install it "
                + "(STUDIO_WITH_MPI=1 bash scripts/install-system-packages.sh, or apt-get install openmpi-bin "
                + "libopenmpi3) or run without mpirun"
        case .unsupported(let reason):
            return "MPI: \(reason)"
        }
    }
}

/// Open MPI's C functions and predefined handles, looked up in `libmpi.so.40` (Open MPI 4's ABI;
/// its handles are pointers to exported objects).
private struct OpenMPI {
    typealias InitThread =
        @convention(c) (
            UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
            Int32, UnsafeMutablePointer<Int32>
        ) -> Int32
    typealias CommQuery = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> Int32
    typealias Allgather =
        @convention(c) (
            UnsafeRawPointer?, Int32, OpaquePointer, UnsafeMutableRawPointer?, Int32, OpaquePointer, OpaquePointer
        ) -> Int32
    typealias Sendrecv =
        @convention(c) (
            UnsafeRawPointer?, Int32, OpaquePointer, Int32, Int32, UnsafeMutableRawPointer?, Int32, OpaquePointer,
            Int32,
            Int32, OpaquePointer, UnsafeMutableRawPointer?
        ) -> Int32
    typealias Ibcast =
        @convention(c) (
            UnsafeMutableRawPointer?, Int32, OpaquePointer, Int32, OpaquePointer, UnsafeMutablePointer<OpaquePointer?>
        ) -> Int32
    typealias Ibarrier = @convention(c) (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias Test =
        @convention(c) (
            UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?
        ) -> Int32
    typealias Abort = @convention(c) (OpaquePointer, Int32) -> Int32
    typealias Finalize = @convention(c) () -> Int32

    static let threadSerialized: Int32 = 2

    let initThread: InitThread, commRank: CommQuery, commSize: CommQuery, allgather: Allgather
    let sendrecv: Sendrecv
    let ibcast: Ibcast, ibarrier: Ibarrier, test: Test, abort: Abort, finalize: Finalize
    let world: OpaquePointer, byte: OpaquePointer

    static func load() throws -> OpenMPI {
        // RTLD_GLOBAL: Open MPI's own plugins resolve their symbols against the library.
        guard let library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL) else {
            throw MPIError.notLoaded(reason: String(cString: dlerror()))
        }
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let address = dlsym(library, name) else {
                throw MPIError.notLoaded(reason: "libmpi.so.40 has no \(name)")
            }
            return address
        }
        func function<F>(_ name: String, as type: F.Type) throws -> F { unsafeBitCast(try symbol(name), to: type) }
        return OpenMPI(
            initThread: try function("MPI_Init_thread", as: InitThread.self),
            commRank: try function("MPI_Comm_rank", as: CommQuery.self),
            commSize: try function("MPI_Comm_size", as: CommQuery.self),
            allgather: try function("MPI_Allgather", as: Allgather.self),
            sendrecv: try function("MPI_Sendrecv", as: Sendrecv.self),
            ibcast: try function("MPI_Ibcast", as: Ibcast.self),
            ibarrier: try function("MPI_Ibarrier", as: Ibarrier.self),
            test: try function("MPI_Test", as: Test.self), abort: try function("MPI_Abort", as: Abort.self),
            finalize: try function("MPI_Finalize", as: Finalize.self),
            world: OpaquePointer(try symbol("ompi_mpi_comm_world")), byte: OpaquePointer(try symbol("ompi_mpi_byte")))
    }

    func check(_ status: Int32, _ name: String) throws {
        guard status == 0 else { throw MPIError.unsupported(reason: "\(name) returned \(status)") }
    }
}
