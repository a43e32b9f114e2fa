import OrangeCore

/// A watched folder's path relative to the data root, kept without an array per folder.
///
/// The shapes the watcher watches (the root, `tasks/`, a project, a task folder) hold their names
/// as the strings the listing produced, shared with the hints, so recording a folder allocates
/// nothing. Any other path (a subtree renamed below the watched levels keeps its descriptors,
/// WatchedTree.rename) is kept as its components. The initializer picks the compact case whenever
/// it fits, so two equal paths are always the same case and the synthesized equality holds.
enum WatchedFolderPath: Hashable {
    case root
    case tasks
    case project(String)
    case task(project: String, id: String)
    case other([String])

    init(_ components: some Collection<String>) {
        var parts = components.makeIterator()
        guard let first = parts.next() else {
            self = .root
            return
        }
        guard first == TaskTreeNames.tasksFolder, components.count <= 3 else {
            self = .other(Array(components))
            return
        }
        switch (parts.next(), parts.next()) {
        case (nil, _): self = .tasks
        case (let project?, nil): self = .project(project)
        case (let project?, let id?): self = .task(project: project, id: id)
        }
    }

    var count: Int {
        switch self {
        case .root: 0
        case .tasks: 1
        case .project: 2
        case .task: 3
        case .other(let components): components.count
        }
    }

    /// The component at `index` (`0..<count`).
    subscript(index: Int) -> String {
        switch (self, index) {
        case (.other(let components), _): components[index]
        case (.project(let project), 1), (.task(let project, _), 1): project
        case (.task(_, let id), 2): id
        default: TaskTreeNames.tasksFolder
        }
    }

    var components: [String] {
        (0..<count).map { self[$0] }
    }

    /// True when `prefix` is this path or one of its ancestors (as `Array.starts(with:)`).
    func starts(with prefix: [String]) -> Bool {
        guard prefix.count <= count else { return false }
        for index in prefix.indices where self[index] != prefix[index] { return false }
        return true
    }

    /// This path with its first `prefixCount` components replaced by `replacement`.
    func replacingPrefix(_ prefixCount: Int, with replacement: [String]) -> WatchedFolderPath {
        WatchedFolderPath(replacement + (prefixCount..<count).map { self[$0] })
    }
}
