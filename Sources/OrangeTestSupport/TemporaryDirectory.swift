import OrangeSystem

/// A fresh folder under /tmp, removed by `remove()` (call it in `defer`).
public final class TemporaryDirectory: @unchecked Sendable {
    // `path` never changes after init; `remove()` is idempotent.
    public let path: String

    public init(prefix: String = "orange-test") throws {
        path = try FileSystem.makeTemporaryDirectory(prefix: "/tmp/\(prefix)-")
    }

    public func remove() {
        try? FileSystem.removeTree(path)
    }
}

/// Runs `body` with a temporary folder that is removed afterwards, even when `body` throws.
public func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try body(directory.path)
}
