import OrangeCore

/// The project registry in `projects.json`, read-modify-written under `projects.json.lock`.
///
/// A file that cannot be parsed is an error naming the file and the problem; it is never
/// treated as empty and overwritten (the original lost every project that way).
public struct FileProjectStore: ProjectStore {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public func list() throws -> [Project] {
        guard FileSystem.fileExists(path) else { return [] }
        return try decode(try FileSystem.readText(path))
    }

    @discardableResult
    public func update(_ change: (inout [Project]) throws -> Void) throws -> [Project] {
        try FileSystem.makeDirectories(AtomicFile.split(path).directory)
        return try FileLock.withLock(path + ".lock") {
            var projects = try list()
            let before = projects
            try change(&projects)
            if projects != before {
                try AtomicFile.write(JSONValue.array(projects.map(\.json)).prettyRendered() + "\n", to: path)
            }
            return projects
        }
    }

    private func decode(_ text: String) throws -> [Project] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            throw TaskStoreError.io(path: path, reason: "\(error) (fix or remove the file; orange will not overwrite it)")
        }
        guard let entries = json.arrayValue else {
            throw TaskStoreError.io(path: path, reason: "expected a JSON array of projects")
        }
        return try entries.map { entry in
            switch Project.from(json: entry) {
            case .success(let project): return project
            case .failure(let problem): throw TaskStoreError.io(path: path, reason: problem.reason)
            }
        }
    }
}
