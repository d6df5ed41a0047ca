import Foundation
import ProbeGAN
import StudioData
import StudioDistributed
import StudioNN
import StudioTensor

/// One ProbeGAN training spread over threads and MPI ranks: `studio train ... --shards S`, and
/// `mpirun -np N studio train ...`. Every batch splits into `S` fixed shards; each rank computes
/// `S / N` of them, one thread each. Rank 0 runs the training as without MPI (data, evaluations,
/// checkpoints, the run folder); the other ranks take its starting state from a file in the run
/// folder (a filesystem every rank sees) and then follow its iterations. The result is the same
/// bits for every `N` that divides `S`.
public struct DataParallelSetup: Sendable {
    /// The shards and the ranks.
    public let group: ShardGroup

    /// The shards every batch splits into when `mpirun` starts the studio without `--shards`: 4
    /// (so that 1, 2 and 4 ranks give the same bits), or the rank count when 4 does not divide
    /// among the ranks.
    public static func defaultShards(ranks: Int) -> Int { 4 % ranks == 0 ? 4 : ranks }

    /// The setup of this process: under `mpirun`, its rank among all; without it, `shards` shards
    /// in this process's threads. Nil without `mpirun` and without `shards`: no data parallelism.
    /// - Throws: `MPIError` when Open MPI cannot be started, `ShardGroupError` for an uneven split.
    public static func launch(shards: Int?) throws -> DataParallelSetup? {
        let world = try MPIWorld.launched()
        guard world != nil || shards != nil else { return nil }
        let count = shards ?? defaultShards(ranks: world?.size ?? 1)
        return DataParallelSetup(group: try ShardGroup(shardCount: count, world: world))
    }

    /// True on the rank that runs the training and writes the run folder (rank 0, or the only process).
    public var isCoordinator: Bool { (group.world?.rank ?? 0) == 0 }

    /// What rank 0 tells the others before the first iteration.
    struct Start: Codable {
        /// The starting state: trainer checkpoint and the GAN's real data.
        var stateFile: String
        /// The frozen classifier's checkpoint.
        var classifierPath: String
    }

    /// Rank 0: writes the trainer's state and real data to the run folder, hands their paths to the
    /// other ranks, and waits until every rank has read them.
    func start(_ trainer: ProbeGANTrainer, folder: RunFolder, classifierPath: String) throws {
        guard let world = group.world, world.size > 1 else { return }
        let stateFile = folder.path + "/data-parallel-start.safetensors"
        var checkpoint = try trainer.checkpoint(elapsedSeconds: 0)
        let data = trainer.realData
        checkpoint.tensors["real.inputs"] = Tensor(
            shape: [data.count, data.channels, data.height, data.width], scalars: data.inputs)
        checkpoint.tensors["real.labels"] = Tensor(shape: [data.count], scalars: data.labels.map(Float.init))
        checkpoint.metadata["real.description"] = String(
            decoding: try JSONEncoder().encode(
                RealDataDescription(
                    groups: data.groups, classNames: data.classNames, representation: data.representation)),
            as: UTF8.self)
        try checkpoint.write(to: stateFile)
        var message = Array(
            try JSONEncoder().encode(Start(stateFile: stateFile, classifierPath: classifierPath)))
        var length = withUnsafeBytes(of: UInt64(message.count)) { Array($0) }
        world.broadcast(&length, from: 0)
        world.broadcast(&message, from: 0)
        world.barrier()
        try? FileManager.default.removeItem(atPath: stateFile)
    }

    /// Rank 0: tells the other ranks to run one more iteration (`true`) or to stop.
    func announce(iterate: Bool) {
        guard let world = group.world, world.size > 1 else { return }
        var command: [UInt8] = [iterate ? 1 : 0]
        world.broadcast(&command, from: 0)
    }

    /// Another rank: takes rank 0's starting state and runs its shards of every iteration until
    /// rank 0 stops. Returns the number of iterations run.
    public func follow() throws -> Int {
        guard let world = group.world, world.rank > 0 else { return 0 }
        var length = [UInt8](repeating: 0, count: 8)
        world.broadcast(&length, from: 0)
        var message = [UInt8](
            repeating: 0, count: Int(length.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        world.broadcast(&message, from: 0)
        let start = try JSONDecoder().decode(Start.self, from: Data(message))
        let checkpoint = try Checkpoint.read(from: start.stateFile)
        let configuration = try ProbeGANTrainer.configuration(in: checkpoint, path: start.stateFile)
        let realData = try Self.realData(in: checkpoint, path: start.stateFile)
        let (classifier, _) = try ClassifierPipelines.load(checkpoint: start.classifierPath)
        let trainer = try ProbeGANTrainer(configuration: configuration, realData: realData, classifier: classifier)
        try trainer.restore(from: checkpoint, path: start.stateFile)
        try trainer.computeShards(group.localShards, of: group)
        world.barrier()
        var iterations = 0
        while true {
            var command: [UInt8] = [0]
            world.broadcast(&command, from: 0)
            guard command[0] == 1 else { return iterations }
            _ = try trainer.trainIteration()
            iterations += 1
        }
    }

    /// Ends MPI on this rank, if it runs under `mpirun`.
    public func finish() { group.world?.finalize() }

    struct RealDataDescription: Codable {
        var groups: [String]
        var classNames: [String]
        var representation: String?
    }

    static func realData(in checkpoint: Checkpoint, path: String) throws -> ClassificationData {
        guard let inputs = checkpoint.tensors["real.inputs"], let labels = checkpoint.tensors["real.labels"],
            inputs.rank == 4, let json = checkpoint.metadata["real.description"],
            let description = try? JSONDecoder().decode(RealDataDescription.self, from: Data(json.utf8))
        else { throw ProbeGANError.noCheckpoint(path: path) }
        return ClassificationData(
            inputs: inputs.scalars, labels: labels.scalars.map { Int($0) }, groups: description.groups,
            classNames: description.classNames, channels: inputs.shape[1], height: inputs.shape[2],
            width: inputs.shape[3], representation: description.representation)
    }
}
