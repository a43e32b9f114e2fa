import Glibc
import OrangeCore
import Synchronization

/// orange's diagnostic log: one JSON object per line in `orange.log`, rotated to `orange.log.1`
/// when it would pass the size limit. Logging never fails a command: write errors are counted
/// and otherwise ignored.
public final class FileLogger: Logger, Sendable {
    public let path: String
    public let minimumLevel: LogLevel
    let clock: any TimeSource
    let rotateAtBytes: Int64
    private let failures = Atomic<Int>(0)

    public init(path: String, minimumLevel: LogLevel, clock: any TimeSource, rotateAtBytes: Int64 = 10 * 1024 * 1024) {
        self.path = path
        self.minimumLevel = minimumLevel
        self.clock = clock
        self.rotateAtBytes = rotateAtBytes
    }

    /// How many lines could not be written.
    public var failedWrites: Int { failures.load(ordering: .relaxed) }

    public func log(_ level: LogLevel, _ component: String, _ message: String, _ context: [(String, JSONValue)]) {
        guard level >= minimumLevel else { return }
        let base = ["ts", "level", "component", "msg"]
        // Context keys never overwrite the base keys (the original let them).
        var pairs: [(String, JSONValue)] = [
            ("ts", .string(clock.now().rfc3339)), ("level", .string(level.name)),
            ("component", .string(component)), ("msg", .string(message)),
        ]
        for (key, value) in context { pairs.append((base.contains(key) ? "ctx_" + key : key, value)) }
        let line = JSONValue.object(pairs).rendered()
        do {
            try FileSystem.makeDirectories(AtomicFile.split(path).directory)
            try FileLock.withLock(path + ".lock", timeoutSeconds: 2) {
                if let size = FileSystem.status(path)?.size, size + Int64(line.utf8.count) + 1 > rotateAtBytes {
                    rename(path, path + ".1")
                }
                try AtomicFile.appendLine(line, to: path)
            }
        } catch {
            failures.add(1, ordering: .relaxed)
        }
    }
}
