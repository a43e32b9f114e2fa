import Glibc
import OrangeCore

/// The project registry in `projects.json` (a JSON array, 2-space indent, trailing newline),
/// read-modify-written under `projects.json.lock` and replaced atomically.
///
/// A file that cannot be parsed is an error naming the file and the problem; it is never
/// treated as empty and overwritten (the original lost every project that way).
public struct FileProjectStore: ProjectStore {
    public var path: String
    /// How long an update waits for another writer of the registry.
    public var lockTimeoutSeconds: Double

    public init(path: String, lockTimeoutSeconds: Double = 30) {
        self.path = path
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    /// The registered projects; empty when `projects.json` does not exist yet.
    public func list() throws -> [Project] {
        let bytes: [UInt8]
        switch Result(catching: { () throws(SystemError) in try FileSystem.readBytes(path) }) {
        case .success(let read): bytes = read
        case .failure(let error) where error.errno == ENOENT: return []
        case .failure(let error): throw TaskStoreError.io(path: path, reason: "cannot read: \(SystemError.message(for: error.errno))")
        }
        return try decode(bytes)
    }

    @discardableResult
    public func update(_ change: (inout [Project]) throws -> Void) throws -> [Project] {
        try FileSystem.makeDirectories(AtomicFile.split(path).directory, mode: mode_t(DataDirectory.directoryMode))
        return try FileLock.withLock(path + ".lock", timeoutSeconds: lockTimeoutSeconds) {
            // Read inside the lock: another process may have registered a project since.
            var projects = try list()
            let before = projects
            try change(&projects)
            if projects != before {
                try AtomicFile.write(Self.render(projects), to: path, mode: mode_t(DataDirectory.fileMode))
            }
            return projects
        }
    }

    /// The exact bytes written for `projects`.
    public static func render(_ projects: [Project]) -> String {
        JSONValue.array(projects.map(\.json)).prettyRendered() + "\n"
    }

    private func decode(_ bytes: [UInt8]) throws -> [Project] {
        switch Project.decodeRegistry(bytes) {
        case .success(let projects): return projects
        case .failure(let problem):
            throw TaskStoreError.io(path: path, reason: "\(problem.reason) (fix or remove the file; orange will not overwrite it)")
        }
    }
}
