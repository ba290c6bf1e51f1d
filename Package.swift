// swift-tools-version:6.0
// CalFarm: a job-farm orchestrator for AGIPD detector calibration on SLURM clusters.
// Dependency rule (checked by .ci/run): CHDF5 <- HDF5 <- AGIPD <- Calibration <- WorkerCommands;
// Farm never imports HDF5 or Calibration; only Sources/HDF5 imports CHDF5 and only
// Sources/Farm/Store imports CSQLite.
import PackageDescription

let package = Package(
    name: "CalFarm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "calfarm", targets: ["calfarm"]),
        .executable(name: "calfarm-worker", targets: ["calfarm-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // The C boundaries: system libraries found through pkg-config.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // libpng reports errors by longjmp: the encoder's setjmp lives in C.
        .target(name: "PNGEncode", dependencies: ["CPNG"]),

        // Data layers (worker side).
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "AGIPD", dependencies: ["HDF5", "FarmContract"]),
        .target(name: "FarmContract"),
        .target(name: "Calibration", dependencies: ["AGIPD", "HDF5", "FarmContract"]),
        .target(name: "Simulator", dependencies: ["AGIPD", "HDF5", "FarmContract"]),

        // Orchestration (controller side).
        .target(name: "Farm", dependencies: [
            "FarmContract", "CSQLite",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),

        // The request report: the store's records and the joined constants, drawn (HTML page, PNG maps).
        .target(name: "Report", dependencies: [
            "Farm", "FarmContract", "HDF5", "AGIPD", "PNGEncode",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),

        // Commands and thin executables.
        .target(name: "ControllerCommands", dependencies: [
            "Farm", "Simulator", "FarmContract", "Report",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "WorkerCommands", dependencies: [
            "Calibration", "AGIPD", "FarmContract",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "calfarm", dependencies: ["ControllerCommands"]),
        .executableTarget(name: "calfarm-worker", dependencies: ["WorkerCommands"]),
        .executableTarget(name: "calfarm-bench", dependencies: [
            "Calibration", "Simulator", "AGIPD", "HDF5", "Farm", "FarmContract",
        ]),

        // Tests.
        .target(name: "CalFarmTestSupport", dependencies: ["FarmContract", "Farm", "Simulator", "HDF5", "AGIPD"],
                path: "Tests/CalFarmTestSupport", exclude: ["Scripts"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "CalFarmTestSupport"]),
        .testTarget(name: "AGIPDTests", dependencies: ["AGIPD", "HDF5", "CalFarmTestSupport"]),
        .testTarget(name: "CalibrationTests", dependencies: [
            "Calibration", "Simulator", "AGIPD", "HDF5", "FarmContract", "CalFarmTestSupport",
        ], exclude: ["Scripts"]),
        // Fixtures (captured SLURM output) and golden scripts are read by path, not bundled.
        .testTarget(name: "FarmTests", dependencies: ["Farm", "FarmContract", "CalFarmTestSupport"],
                    exclude: ["Fixtures", "Snapshots"]),
        .testTarget(name: "CommandsTests", dependencies: [
            "ControllerCommands", "WorkerCommands", "Farm", "FarmContract", "HDF5", "AGIPD", "Simulator",
            "CalFarmTestSupport",
        ]),
        .testTarget(name: "SlurmIntegrationTests", dependencies: [
            "ControllerCommands", "Farm", "FarmContract", "HDF5", "Simulator", "CalFarmTestSupport",
        ]),
    ]
)
