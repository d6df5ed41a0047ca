// swift-tools-version:6.0
// Spectrogram Studio: asks a trained classifier what it has memorised about a class it never let us see.
//
// Dependency direction (nothing imports upward):
//   C shims -> StudioAudio, StudioImage (frontends: no tensor engine)
//   StudioSupport -> StudioTensor (engine) -> StudioNN, StudioOptimizers (layers) -> StudioModels
//     -> StudioData (examples, target absence) -> ProbeGAN, EGBAS (the algorithms), StudioClassifiers
//   StudioTensor -> StudioDistributed (threads and MPI ranks sharing a batch) -> StudioPipelines
//   StudioAudio, StudioImage -> StudioPipelines -> studio (the only user of swift-argument-parser)
import PackageDescription

let package = Package(
    name: "SpectrogramStudio",
    products: [
        .executable(name: "studio", targets: ["studio"]),
        .library(name: "StudioAudio", targets: ["StudioAudio"]),
        .library(name: "StudioImage", targets: ["StudioImage"]),
        .library(name: "StudioTensor", targets: ["StudioTensor"]),
        .library(name: "StudioNN", targets: ["StudioNN", "StudioOptimizers"]),
        .library(name: "ProbeGAN", targets: ["ProbeGAN"]),
        .library(name: "EGBAS", targets: ["EGBAS"]),
        .library(name: "StudioPipelines", targets: ["StudioPipelines"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // MARK: - System libraries (Debian -dev packages, found through pkg-config)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(
            name: "CSampleRate", pkgConfig: "samplerate", providers: [.apt(["libsamplerate0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSystem"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: - Libraries
        .target(name: "StudioSupport"),
        .target(name: "StudioAudio", dependencies: ["StudioSupport", "CFFTW", "CSndFile", "CSampleRate"]),
        .target(name: "StudioImage", dependencies: ["StudioSupport", "CPNG"]),
        .target(name: "StudioTensor", dependencies: ["StudioSupport", "CBLAS", "CDNNL", "CSystem"]),
        // Data parallelism across threads and MPI ranks (Open MPI loaded at run time).
        .target(name: "StudioDistributed", dependencies: ["StudioTensor"]),
        .target(name: "StudioCorpus", dependencies: ["StudioAudio", "StudioImage", "StudioSupport", "CZlib"]),
        .target(name: "StudioNN", dependencies: ["StudioTensor", "StudioSupport"]),
        .target(name: "StudioOptimizers", dependencies: ["StudioNN", "StudioTensor"]),
        .target(name: "StudioModels", dependencies: ["StudioNN", "StudioTensor", "StudioSupport"]),
        .target(name: "StudioData", dependencies: ["StudioTensor", "StudioSupport"]),
        .target(
            name: "StudioClassifiers",
            dependencies: [
                "StudioData", "StudioModels", "StudioOptimizers", "StudioNN", "StudioTensor", "StudioSupport",
            ]),
        .target(name: "StudioEvaluation", dependencies: ["CBLAS", "StudioSupport"]),
        // The two algorithms, named after their papers: engine, layers, models, optimisers and the data
        // layer only (no classifier training, no pipelines, no CLI).
        .target(
            name: "ProbeGAN",
            dependencies: [
                "StudioData", "StudioModels", "StudioOptimizers", "StudioNN", "StudioTensor", "StudioSupport",
                "StudioEvaluation",
            ]),
        .target(
            name: "EGBAS",
            dependencies: ["StudioModels", "StudioNN", "StudioOptimizers", "StudioTensor", "StudioSupport"]),
        .target(
            name: "StudioPipelines",
            dependencies: [
                "StudioSupport", "StudioAudio", "StudioImage", "StudioCorpus", "StudioData", "StudioClassifiers",
                "StudioModels",
                "StudioNN", "ProbeGAN", "StudioOptimizers", "StudioEvaluation", "EGBAS", "StudioDistributed",
                "StudioTensor", "CBLAS", "CDNNL", "CFFTW", "CSndFile",
                "CSampleRate", "CPNG",
            ]
        ),
        // Experiments (marker, spurious feature): arms of runs, replicates and their reports; nothing
        // below knows they exist.
        .target(
            name: "StudioExperiments",
            dependencies: [
                "StudioPipelines", "StudioSupport", "StudioAudio", "StudioImage", "StudioCorpus", "StudioData",
                "StudioClassifiers", "StudioModels", "ProbeGAN", "StudioEvaluation", "StudioTensor",
            ]),

        // MARK: - Executables
        .executableTarget(
            name: "studio",
            dependencies: [
                "StudioPipelines", "StudioExperiments", "StudioCorpus", "StudioSupport", "StudioData",
                "StudioClassifiers", "StudioModels",
                "CSystem", "ProbeGAN", "EGBAS", "StudioEvaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "StudioBenchmarks",
            dependencies: [
                "StudioAudio", "StudioPipelines", "StudioTensor", "StudioSupport", "StudioModels", "ProbeGAN",
                "StudioOptimizers", "EGBAS", "StudioDistributed", "StudioData",
            ]),

        // MARK: - Tests (one target per library; files mirror sources)
        .testTarget(name: "StudioSupportTests", dependencies: ["StudioSupport"]),
        .testTarget(name: "StudioAudioTests", dependencies: ["StudioAudio", "StudioSupport"]),
        .testTarget(name: "StudioImageTests", dependencies: ["StudioImage"]),
        .testTarget(name: "StudioDataTests", dependencies: ["StudioData", "StudioSupport"]),
        .testTarget(
            name: "StudioClassifiersTests",
            dependencies: [
                "StudioClassifiers", "StudioData", "StudioModels", "StudioNN", "StudioTensor", "StudioSupport",
            ]),
        .testTarget(name: "StudioCorpusTests", dependencies: ["StudioCorpus", "StudioAudio", "StudioImage"]),
        .testTarget(name: "StudioTensorTests", dependencies: ["StudioTensor", "StudioSupport"]),
        .testTarget(
            name: "StudioNNTests", dependencies: ["StudioNN", "StudioOptimizers", "StudioTensor", "StudioSupport"]),
        .testTarget(
            name: "StudioDistributedTests", dependencies: ["StudioDistributed", "StudioTensor", "StudioSupport"]),
        .testTarget(
            name: "ProbeGANTests",
            dependencies: [
                "ProbeGAN", "StudioDistributed", "StudioData", "StudioModels", "StudioNN", "StudioOptimizers",
                "StudioTensor", "StudioSupport",
            ]),
        .testTarget(
            name: "StudioEvaluationTests", dependencies: ["StudioEvaluation", "StudioAudio", "StudioSupport"]),
        .testTarget(
            name: "EGBASTests",
            dependencies: ["EGBAS", "StudioModels", "StudioNN", "StudioTensor", "StudioSupport"]),
        .testTarget(
            name: "StudioCLITests", dependencies: ["studio", "StudioAudio", "StudioImage", "StudioNN", "StudioTensor"]),
        .testTarget(name: "StudioExperimentsTests", dependencies: ["StudioExperiments", "StudioPipelines"]),
        .testTarget(
            name: "StudioPipelinesTests",
            dependencies: [
                "StudioPipelines", "StudioTensor", "StudioData", "StudioClassifiers", "StudioModels", "StudioImage",
            ]),
    ]
)
