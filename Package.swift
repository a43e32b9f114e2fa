// swift-tools-version:6.0
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "orange",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orange", targets: ["orange"])
    ],
    targets: [
        // The only C in the package: <sys/inotify.h> for the watcher, and the Linux calls Swift's
        // Glibc does not show (memfd_create, descriptors passed over a socket).
        .systemLibrary(name: "CInotify", path: "CInotify"),
        .systemLibrary(name: "CLinux", path: "CLinux"),
        // Pure logic: no syscalls, no clock, no randomness.
        .target(name: "OrangeCore", swiftSettings: settings),
        // Every syscall: files, locks, processes, git, tmux, inotify.
        .target(name: "OrangeSystem", dependencies: ["OrangeCore", "CInotify", "CLinux"], swiftSettings: settings),
        // Use cases composed from Core logic and System capabilities.
        .target(name: "OrangeApp", dependencies: ["OrangeCore", "OrangeSystem"], swiftSettings: settings),
        .executableTarget(name: "orange", dependencies: ["OrangeApp"], swiftSettings: settings),
        // Benchmarks (never timed tests): `swift run -c release orange-bench`.
        .executableTarget(name: "orange-bench", dependencies: ["OrangeCore", "OrangeSystem"], swiftSettings: settings),
        .target(name: "OrangeTestSupport", dependencies: ["OrangeCore", "OrangeSystem"], swiftSettings: settings),
        .testTarget(name: "OrangeCoreTests", dependencies: ["OrangeCore", "OrangeTestSupport"], swiftSettings: settings),
        .testTarget(name: "OrangeSystemTests", dependencies: ["OrangeSystem", "OrangeTestSupport"], swiftSettings: settings),
        .testTarget(name: "OrangeAppTests", dependencies: ["OrangeApp", "OrangeTestSupport"], swiftSettings: settings),
        .testTarget(
            name: "OrangeEndToEndTests", dependencies: ["OrangeTestSupport", "OrangeCore", "OrangeSystem", "orange"],
            swiftSettings: settings),
    ],
    swiftLanguageModes: [.v6]
)
