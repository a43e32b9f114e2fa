/// One problem `orange doctor` found: where (file, and line when it is tied to one), why, and the
/// repair `--fix` may make, when there is a safe one.
public struct DoctorFinding: Hashable, Sendable, CustomStringConvertible {
    /// A stable name per kind of problem, for `--json` and tests.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case invalidTaskFile = "invalid_task_file"
        case missingTaskFile = "missing_task_file"
        case unexpectedEntry = "unexpected_entry"
        case brokenSymlink = "broken_symlink"
        case symlink
        case invalidName = "invalid_name"
        case unreadable
        case duplicateID = "duplicate_id"
        case missingBlocker = "missing_blocker"
        case blockerInOtherProject = "blocker_in_other_project"
        case blockedBySelf = "blocked_by_self"
        case cycle
        case parentInOtherProject = "parent_in_other_project"
        case missingChild = "missing_child"
        case oneSidedLink = "one_sided_link"
        case conflictingParent = "conflicting_parent"
        case corruptProjects = "corrupt_projects"
        case missingRepository = "missing_repository"
        case corruptConfig = "corrupt_config"
        case corruptPool = "corrupt_pool"
        case poolTaskMissing = "pool_task_missing"
        case poolWorktreeMissing = "pool_worktree_missing"
        case poolMismatch = "pool_mismatch"
        case detachedTaskLink = "detached_task_link"
        case staleTemporaryFile = "stale_temporary_file"
        case staleDeletedFolder = "stale_deleted_folder"
        case staleNewTaskFolder = "stale_new_task_folder"
        case staleCookie = "stale_cookie"
        case staleSpawnMarker = "stale_spawn_marker"
        case mergeConflict = "merge_conflict"
    }

    public var kind: Kind
    public var path: String
    public var line: Int?
    public var reason: String
    public var fix: DoctorFix?

    public init(_ kind: Kind, path: String, line: Int? = nil, reason: String, fix: DoctorFix? = nil) {
        self.kind = kind
        self.path = path
        self.line = line
        self.reason = reason
        self.fix = fix
    }

    /// `path:line: reason`, the form compilers use, so editors can jump to it.
    public var description: String {
        (line.map { "\(path):\($0)" } ?? path) + ": " + reason
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind.rawValue)), ("path", .string(path))]
        pairs.append(("line", line.map { .int(Int64($0)) } ?? .null))
        pairs.append(("reason", .string(reason)))
        pairs.append(("fix", fix.map { .string($0.description) } ?? .null))
        return .object(pairs)
    }
}

/// A repair `orange doctor --fix` may make: only ones that cannot lose anything a person wrote.
public enum DoctorFix: Hashable, Sendable, CustomStringConvertible {
    /// Remove a leftover whose creator is gone (a temporary file, cookie, sync answer, or a task
    /// folder that was already being deleted). Never follows links.
    case remove(path: String)
    /// Put back a task whose spawn was interrupted, as the engine does (session ended, workspace
    /// released, pending again), and remove its `.spawning` marker.
    case repairInterruptedSpawn(TaskID, ProjectName)
    /// Append `child` to `parent`'s children: the child's `parent` is written first, so it is the
    /// truth (the same repair the engine makes).
    case addChild(TaskID, toParent: TaskID, project: ProjectName)
    /// Free a workspace bound to a task that no longer exists.
    case releaseWorkspace(String, task: TaskID)
    /// Apply the plain file that replaced a workspace's TASK.md link to its task, as the engine
    /// does (or keep it next to the task when it cannot be applied), and put the link back.
    case repairWorkspaceTaskFile(String, task: TaskID)

    public var description: String {
        switch self {
        case .remove: return "remove it"
        case .repairInterruptedSpawn(let id, _): return "put task \(id) back to pending as the engine does, and remove the marker"
        case .addChild(let child, let parent, _): return "add \(child) to the children of \(parent)"
        case .releaseWorkspace(let name, _): return "release workspace \(name)"
        case .repairWorkspaceTaskFile(let name, let id):
            return "apply \(name)/TASK.md to task \(id) as the engine does, and put the link back"
        }
    }
}
