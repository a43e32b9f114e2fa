import Glibc
import OrangeCore
import Synchronization

/// orange's diagnostic log: one JSON object per line in `orange.log`
/// (`{"ts","level","component","msg",...context}`), rotated to `orange.log.1` (one old file kept)
/// when the next line would pass the size limit.
///
/// Logging never fails a command: write errors are counted (`failedWrites`) and otherwise
/// ignored. Rotation and appends happen under `orange.log.lock`, so two processes never rotate
/// twice or write into a file that is being renamed away.
public final class FileLogger: Logger, Sendable {
    public let path: String
    public let minimumLevel: LogLevel
    let clock: any TimeSource
    let rotateAtBytes: Int64
    private let failures = Atomic<Int>(0)

    /// The base keys of every line; context keys with these names are written as `ctx_<key>`.
    public static let baseKeys = ["ts", "level", "component", "msg"]
    public static let defaultRotationBytes: Int64 = 10 * 1024 * 1024

    /// - Parameter rotateAtBytes: the size `orange.log` may reach before it is rotated (10 MiB;
    ///   tests pass a small value).
    public init(path: String, minimumLevel: LogLevel, clock: any TimeSource, rotateAtBytes: Int64 = FileLogger.defaultRotationBytes) {
        self.path = path
        self.minimumLevel = minimumLevel
        self.clock = clock
        self.rotateAtBytes = rotateAtBytes
    }

    /// How many lines could not be written (or rotations that failed).
    public var failedWrites: Int { failures.load(ordering: .relaxed) }

    public func log(_ level: LogLevel, _ component: String, _ message: String, _ context: [(String, JSONValue)]) {
        guard level >= minimumLevel else { return }
        let line = Self.line(at: clock.now(), level: level, component: component, message: message, context: context)
        do {
            try FileSystem.makeDirectories(AtomicFile.split(path).directory, mode: mode_t(DataDirectory.directoryMode))
            try FileLock.withLock(path + ".lock", timeoutSeconds: 2) {
                if let size = FileSystem.status(path)?.size, size + Int64(line.utf8.count) + 1 > rotateAtBytes {
                    // rename replaces any older `.1`: one old file is kept.
                    if rename(path, path + ".1") != 0 { failures.add(1, ordering: .relaxed) }
                }
                try AtomicFile.appendLine(line, to: path, mode: mode_t(DataDirectory.fileMode))
            }
        } catch {
            failures.add(1, ordering: .relaxed)
        }
    }

    /// One log line, without the newline. Context keys never overwrite the base keys (the
    /// original let them): a clashing key is written as `ctx_<key>`.
    public static func line(at time: Timestamp, level: LogLevel, component: String, message: String, context: [(String, JSONValue)])
        -> String
    {
        var pairs: [(String, JSONValue)] = [
            ("ts", .string(time.rfc3339)), ("level", .string(level.name)),
            ("component", .string(component)), ("msg", .string(message)),
        ]
        for (key, value) in context { pairs.append((baseKeys.contains(key) ? "ctx_" + key : key, value)) }
        return JSONValue.object(pairs).rendered()
    }
}
