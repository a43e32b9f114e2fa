import OrangeCore

/// Builds `DataDirectorySnapshot` values for the doctor's checks from paths below the home, the
/// way the file-system walker would have seen them.
struct DoctorSnapshotBuilder {
    let home = "/h"
    let now: Int64 = 10_000_000_000
    /// Leaf entries by path below home; folders on the way are created implicitly.
    var leaves: [String: SnapshotEntry.Kind] = [:]
    var modified: [String: Int64] = [:]
    var files: [String: SnapshotFile] = [:]
    var alivePIDs: Set<Int32> = []
    var heldLocks: Set<String> = []
    var existingDirectories: Set<String> = []
    var workspaceTaskFiles: [String: SnapshotEntry] = [:]

    /// The text of a valid TASK.md with `lines` added to (or replacing) the defaults.
    static func taskText(_ id: String, project: String = "coffee", _ lines: [String] = []) -> String {
        var keys: [(String, String)] = [("id", id), ("project", project), ("status", "pending")]
        for line in lines {
            let key = String(line.prefix { $0 != ":" })
            if let index = keys.firstIndex(where: { $0.0 == key }) {
                keys[index].1 = String(line.dropFirst(key.count + 2))
            } else {
                keys.append((key, String(line.dropFirst(key.count + 2))))
            }
        }
        return "---\n" + keys.map { "\($0.0): \($0.1)\n" }.joined() + "---\nbody\n"
    }

    /// A task folder with a valid TASK.md (and the usual `.lock` and history).
    mutating func task(_ id: String, in project: String = "coffee", _ lines: [String] = []) {
        raw(id, in: project, Self.taskText(id, project: project, lines))
    }

    /// A task folder whose TASK.md holds exactly `text`.
    mutating func raw(_ id: String, in project: String = "coffee", _ text: String) {
        let folder = "tasks/\(project)/\(id)"
        add(folder + "/TASK.md", .file)
        add(folder + "/.lock", .file)
        add(folder + "/history.jsonl", .file)
        files["\(home)/\(folder)/TASK.md"] = .bytes(Array(text.utf8))
    }

    mutating func add(_ path: String, _ kind: SnapshotEntry.Kind, age: Int64 = 0) {
        leaves[path] = kind
        modified[path] = now - age
    }

    mutating func folder(_ path: String) { add(path, .directory(children: [])) }

    mutating func file(_ path: String, _ text: String) {
        add(path, .file)
        files["\(home)/\(path)"] = .bytes(Array(text.utf8))
    }

    func snapshot() -> DataDirectorySnapshot {
        DataDirectorySnapshot(
            home: home, nowMilliseconds: now, entries: children(of: ""), files: files, alivePIDs: alivePIDs,
            heldLocks: heldLocks, existingDirectories: existingDirectories, workspaceTaskFiles: workspaceTaskFiles)
    }

    private func children(of prefix: String) -> [SnapshotEntry] {
        var names: Set<String> = []
        for path in leaves.keys where prefix.isEmpty || path.hasPrefix(prefix + "/") {
            let rest = prefix.isEmpty ? path : String(path.dropFirst(prefix.count + 1))
            if let first = rest.split(separator: "/", omittingEmptySubsequences: false).first { names.insert(String(first)) }
        }
        return names.sorted().map { name in
            let path = prefix.isEmpty ? name : prefix + "/" + name
            let below = leaves.keys.contains { $0.hasPrefix(path + "/") }
            if below { return .directory(name, children(of: path), modifiedMilliseconds: now) }
            return SnapshotEntry(name, leaves[path]!, modifiedMilliseconds: modified[path] ?? now)
        }
    }
}

extension Array where Element == DoctorFinding {
    /// `kind path[:line]` per finding, with the home stripped, for exact comparisons.
    var summary: [String] {
        map { "\($0.kind.rawValue) \($0.path.dropFirst(3))" + ($0.line.map { ":\($0)" } ?? "") }
    }
}
