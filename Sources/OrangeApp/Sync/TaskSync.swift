import OrangeCore
import OrangeSystem

/// One machine's git work in a shared tasks folder: commit orange's writes in small commits,
/// fetch, merge what arrived, push. Every step runs under the repository's lock, so the engine,
/// commands and claims of one machine never run git there at the same time.
///
/// What arrives is merged by `git merge` in the tasks folder itself, holding the lock of every
/// task the merge changes, so no orange write lands between git's read and its write; the
/// engine then sees the files change, as after any `git pull`.
struct TaskSync: Sendable {
    let repository: SyncRepository
    let machine: String
    let runner: any ProcessRunning
    let environment: [String: String]
    let clock: any TimeSource

    var git: SyncGit { SyncGit(runner: runner, directory: repository.root) }
    var remoteBranch: String { "origin/" + SyncRepository.branch }

    /// Runs `body` holding the repository's lock.
    func locked<T>(_ body: () throws -> T) throws -> T {
        try FileLock.withLock(repository.lockFile, timeoutSeconds: 120, body)
    }

    /// Commits every change of the folder (what is not excluded); false when there was none.
    @discardableResult
    func commitLocal(_ message: String? = nil) throws -> Bool {
        try git.check(["add", "-A", "."])
        if git.succeeds(["diff", "--cached", "--quiet"]) { return false }
        try git.check(["commit", "--quiet", "--no-verify", "-m", message ?? "orange \(machine): task updates"])
        return true
    }

    enum Reachability: Equatable {
        case reachable
        case unreachable(String)
    }

    func fetch() throws -> Reachability {
        let result = try git.run(
            ["fetch", "--quiet", "origin", "+refs/heads/\(SyncRepository.branch):refs/remotes/\(remoteBranch)"], timeout: 120)
        let now = clock.now()
        if result.succeeded {
            updateState {
                $0.lastFetch = now; $0.reachable = true; $0.error = nil
            }
            return .reachable
        }
        let reason = SyncGit.firstLine(result)
        updateState {
            $0.reachable = false; $0.error = reason; $0.lastAttempt = now
        }
        return .unreachable(reason)
    }

    typealias MergeResult = SharedTasksRound.Merge

    /// Merges the fetched remote branch. TASK.md files both sides changed are merged field by
    /// field by orange's driver (docs/task-merge.md): what it cannot merge stays in the file from
    /// both sides, marked `merge_conflict`, and the merge is committed. Any other file both sides
    /// changed makes the merge refused before it touches a file (`git merge-tree`), reported, and
    /// tried again after the next fetch.
    func mergeIncoming() throws -> MergeResult {
        guard let theirs = git.revision(remoteBranch) else { return .upToDate }
        guard let ours = git.revision("HEAD") else {
            try git.check(["merge", "--quiet", "--ff-only", remoteBranch])
            return .merged(files: 0)
        }
        if git.succeeds(["merge-base", "--is-ancestor", theirs, ours]) { return .upToDate }
        if let files = try refusedFiles(ours, theirs) { return .conflict(files) }
        let changed = try git.check(["diff", "--name-only", ours + "..." + theirs]).split(separator: "\n").map(String.init)
        let folders = Set(changed.compactMap(repository.taskFolder(ofPath:))).filter { FileSystem.isDirectory($0) }.sorted()
        var refused: [String]?
        try Self.holdingLocks(folders.map { $0 + "/.lock" }) {
            // Anything written since the last commit is committed first: git never merges over
            // an uncommitted change of a task it is about to update. That commit is probed too.
            if try commitLocal(), let head = git.revision("HEAD"), let files = try refusedFiles(head, theirs) {
                refused = files
                return
            }
            let result = try git.run(["merge", "--quiet", "--no-edit", "--no-verify", "-m", "orange \(machine): merge", remoteBranch])
            guard result.succeeded else {
                // The driver kept both sides of some TASK.md files and marked them: the merge is
                // complete as it is. Anything else was not expected after the probe, and no
                // half-done merge stays.
                let unmerged = (try? git.check(["diff", "--name-only", "--diff-filter=U"]))?.split(separator: "\n").map(String.init) ?? []
                if !unmerged.isEmpty, unmerged.allSatisfy(Self.isTaskFile), driverIsRegistered {
                    try git.check(["add", "--"] + unmerged)
                    try git.check(["commit", "--quiet", "--no-edit", "--no-verify"])
                    return
                }
                _ = try? git.run(["merge", "--abort"])
                throw ProcessError.failed(result)
            }
        }
        if let refused { return .conflict(refused) }
        updateState { $0.conflict = [] }
        return .merged(files: changed.count)
    }

    /// The files a merge of `theirs` into `ours` would leave in conflict that orange's driver
    /// does not merge, found without touching the folder (and kept in the state for `sync
    /// status`); nil when the merge can go ahead.
    private func refusedFiles(_ ours: String, _ theirs: String) throws -> [String]? {
        let probe = try git.run(["merge-tree", "--write-tree", "--name-only", "--no-messages", ours, theirs])
        if probe.exitCode == 1 {
            // The tree's id, then the conflicted files. A merge driver's own words (orange's
            // says what it kept) come first on the same output, so the id is looked for.
            let lines = probe.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let tree = lines.firstIndex { $0.count >= 40 && $0.allSatisfy(\.isHexDigit) } ?? 0
            let files = lines.dropFirst(tree + 1).prefix { !$0.isEmpty }.map { $0 }
            let refused = driverIsRegistered ? files.filter { !Self.isTaskFile($0) } : files
            if refused.isEmpty { return nil }
            updateState { $0.conflict = refused }
            return refused
        }
        guard probe.succeeded else { throw ProcessError.failed(probe) }
        return nil
    }

    static func isTaskFile(_ path: String) -> Bool { path == "TASK.md" || path.hasSuffix("/TASK.md") }

    /// Whether this clone runs orange's driver for TASK.md (`SyncRepository.configure`, and
    /// again at each engine start).
    var driverIsRegistered: Bool { git.succeeds(["config", "--get", "merge.\(TaskMergeDriver.name).driver"]) }

    private static func holdingLocks(_ paths: [String], _ body: () throws -> Void) throws {
        guard let first = paths.first else { return try body() }
        try FileLock.withLock(first, timeoutSeconds: 30) { try holdingLocks(Array(paths.dropFirst()), body) }
    }

    /// Pushes the local branch; only a fast-forward is accepted.
    func push() throws -> SyncGit.PushResult {
        guard let head = git.revision("HEAD") else { return .accepted }
        if let remote = git.revision(remoteBranch), remote == head { return .accepted }
        ProcessControl.crashPoint("sync.pushing", environment: environment)
        let result = try git.push("HEAD", to: SyncRepository.branch)
        notePush(result)
        if result == .accepted { try git.check(["update-ref", "refs/remotes/" + remoteBranch, head]) }
        return result
    }

    func notePush(_ result: SyncGit.PushResult) {
        let now = clock.now()
        switch result {
        case .accepted:
            updateState {
                $0.lastPush = now; $0.reachable = true; $0.error = nil
            }
        case .rejected: updateState { $0.reachable = true }
        case .unreachable(let reason):
            updateState {
                $0.reachable = false; $0.error = reason; $0.lastAttempt = now
            }
        }
    }

    /// What one round did.
    typealias Report = SharedTasksRound

    /// Commit, fetch, merge, push: once, with one more fetch and merge when the push was
    /// rejected (another machine pushed in between).
    func once() throws -> Report {
        try locked {
            var report = Report()
            report.committed = try commitLocal()
            for _ in 0..<3 {
                if case .unreachable(let reason) = try fetch() {
                    report.reachable = false
                    report.error = reason
                    return report
                }
                report.merge = try mergeIncoming()
                if case .conflict(let files) = report.merge {
                    report.error =
                        "the remote's changes conflict with this machine's in \(files.joined(separator: ", ")); nothing was merged"
                    return report
                }
                let unpushed = git.revision("HEAD") != git.revision(remoteBranch)
                switch try push() {
                case .accepted:
                    report.pushed = unpushed
                    return report
                case .rejected: continue
                case .unreachable(let reason):
                    report.reachable = false
                    report.error = reason
                    return report
                }
            }
            return report
        }
    }

    // MARK: - State

    /// The repository's last fetch and push (`.git/orange-sync.json`, this machine's only).
    struct State: Equatable {
        var lastFetch: Timestamp?
        var lastPush: Timestamp?
        var lastAttempt: Timestamp?
        var reachable: Bool?
        var error: String?
        var conflict: [String] = []

        var json: JSONValue {
            .object([
                ("last_fetch", .optional(lastFetch?.rfc3339)), ("last_push", .optional(lastPush?.rfc3339)),
                ("last_attempt", .optional(lastAttempt?.rfc3339)), ("reachable", reachable.map(JSONValue.bool) ?? .null),
                ("error", .optional(error)), ("conflict", .array(conflict.map(JSONValue.string))),
            ])
        }

        init() {}

        init(json: JSONValue) {
            lastFetch = json["last_fetch"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
            lastPush = json["last_push"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
            lastAttempt = json["last_attempt"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
            if case .bool(let value)? = json["reachable"] { reachable = value }
            error = json["error"]?.stringValue
            if case .array(let items)? = json["conflict"] { conflict = items.compactMap(\.stringValue) }
        }
    }

    static func readState(_ repository: SyncRepository) -> State {
        guard let text = try? FileSystem.readText(repository.stateFile), let json = try? JSONValue.parse(text) else { return State() }
        return State(json: json)
    }

    /// Only ever called under the repository's lock.
    func updateState(_ change: (inout State) -> Void) {
        var state = Self.readState(repository)
        change(&state)
        try? AtomicFile.write(state.json.rendered() + "\n", to: repository.stateFile)
    }
}
