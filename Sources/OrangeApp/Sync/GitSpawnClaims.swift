import OrangeCore
import OrangeSystem

/// Claims by push (docs/multi-machine.md): a spawn's claim, or an auto-completion, is first made
/// as a commit on top of this machine's state and pushed to the shared remote. Only an accepted
/// push (a fast-forward: git's compare-and-swap of the branch) lets the local write happen. A
/// rejected push fetches, merges and decides again on what arrived: a task claimed or completed
/// elsewhere is left alone. An unreachable remote refuses every new claim.
struct GitSpawnClaims: SpawnClaims {
    let home: String
    let machineID: String
    let runner: any ProcessRunning
    let environment: [String: String]
    let clock: any TimeSource
    let logger: any Logger
    /// How long a claim holds without being renewed (the engine renews its claims).
    let leaseMilliseconds: Int64

    static let defaultLeaseSeconds: Int64 = 600
    static let leaseVariable = "ORANGE_CLAIM_LEASE_SECONDS"
    /// A fetch or push failed less than this long ago: a new claim is refused at once instead of
    /// waiting for git again; the engine's next round asks the remote.
    static let offlineGraceMilliseconds: Int64 = 2_000

    var machine: String? { machineID }

    func transition(
        _ task: TaskID, in project: ProjectName, from: Set<TaskStatus>, to: TaskStatus, claim: Bool, note: StatusChangeNote,
        write: (ClaimStamp?) throws -> Void
    ) throws -> ClaimOutcome {
        let stamp = claim ? ClaimStamp(machine: machineID, until: clock.now().adding(milliseconds: leaseMilliseconds)) : nil
        guard let repository = SyncRepository.covering(project, home: home) else {
            // A project whose tasks do not travel: the claim is recorded, no remote is asked.
            try write(stamp)
            return .accepted
        }
        let sync = TaskSync(repository: repository, machine: machineID, runner: runner, environment: environment, clock: clock)
        let state = TaskSync.readState(repository)
        if state.reachable == false, let attempt = state.lastAttempt,
            clock.now().millisecondsSinceEpoch - attempt.millisecondsSinceEpoch < Self.offlineGraceMilliseconds
        {
            return .refused(Self.offline(state.error))
        }
        return try sync.locked {
            try sync.commitLocal()
            for attempt in 0..<8 {
                // The first try pushes on what this machine has; a rejection brings the rest.
                if attempt > 0 {
                    if case .unreachable(let reason) = try sync.fetch() { return .refused(Self.offline(reason)) }
                    if case .conflict(let files) = try sync.mergeIncoming() {
                        return .refused("the shared tasks conflict in \(files.joined(separator: ", ")); no claim until they merge")
                    }
                }
                let path = repository.path(of: TaskTreeNames.taskFile, task: task, in: project)
                guard let text = try? sync.git.check(["show", "HEAD:" + path]) else {
                    return .refused("task '\(task)' is not in the shared tasks yet")
                }
                guard case .success(var record) = TaskFileDecoder.decode(Array((text + "\n").utf8), folderID: task, folderProject: project)
                else { return .refused("task '\(task)' does not parse in the shared tasks") }
                guard from.contains(record.status) else {
                    return .refused(
                        "task is \(record.status.rawValue) in the shared tasks (\(record.claimedBy.map { "claimed by " + $0 } ?? "no claim"))"
                    )
                }
                if claim, !ClaimRule.mayClaim(record, machine: machineID, now: clock.now()) {
                    return .refused("claimed by machine \(record.claimedBy ?? "?")")
                }
                let line = note.event(from: record.status, to: to).json.rendered() + "\n"
                record.status = to
                record.updatedAt = note.time
                if let stamp { record.setClaim(stamp) }
                // The history line goes in the same commit, as the store writes it beside the
                // status: no machine sees the status without it (and calls it a hand edit).
                let historyPath = repository.path(of: "history.jsonl", task: task, in: project)
                let history = (try? sync.git.run(["show", "HEAD:" + historyPath]))?.stdout ?? ""
                let commit = try claimCommit(
                    sync, files: [(path, record.rendered()), (historyPath, history + line)],
                    message: "orange \(machineID): \(task) \(to.rawValue)")
                // The branch moves to the claim before the push: a machine killed after the remote
                // accepted it has the claim in its history already, and its next commit (the folder
                // still says pending) gives it back on top of it, never beside it (a conflict).
                let head = try sync.git.check(["rev-parse", "HEAD"])
                try sync.git.check(["update-ref", "refs/heads/" + SyncRepository.branch, commit, head])
                ProcessControl.crashPoint("claim.pushing", environment: environment)
                let pushed = try sync.git.push(commit, to: SyncRepository.branch)
                sync.notePush(pushed)
                if pushed != .accepted { try sync.git.check(["update-ref", "refs/heads/" + SyncRepository.branch, head, commit]) }
                switch pushed {
                case .accepted:
                    ProcessControl.crashPoint("claim.accepted", environment: environment)
                    try sync.git.check(["update-ref", "refs/remotes/origin/" + SyncRepository.branch, commit])
                    ProcessControl.crashPoint("claim.pushed", environment: environment)
                    defer { _ = try? sync.commitLocal() }
                    try write(stamp)
                    return .accepted
                case .rejected:
                    logger.info(
                        "sync", "Claim push rejected; fetching", [("task_id", .string(task.rawValue)), ("attempt", .int(Int64(attempt)))])
                    continue
                case .unreachable(let reason):
                    return .refused(Self.offline(reason))
                }
            }
            return .refused("the shared tasks kept moving; the claim is tried again later")
        }
    }

    /// A commit on top of HEAD that changes only `path`, built without touching the folder or
    /// its index (a scratch index in the git folder).
    private func claimCommit(_ sync: TaskSync, files: [(path: String, content: String)], message: String) throws -> String {
        let git = sync.git
        let index = ["GIT_INDEX_FILE": sync.repository.gitDirectory + "/orange-claim-index"]
        try git.check(["read-tree", "HEAD"], extraEnvironment: index)
        for file in files {
            let blob = try git.check(["hash-object", "-w", "--stdin"], input: file.content)
            try git.check(["update-index", "--add", "--cacheinfo", "100644," + blob + "," + file.path], extraEnvironment: index)
        }
        let tree = try git.check(["write-tree"], extraEnvironment: index)
        return try git.check(["commit-tree", tree, "-p", "HEAD", "-m", message])
    }

    static func offline(_ reason: String?) -> String {
        "the shared tasks' remote is unreachable (\(reason ?? "no answer")); no new claim until it answers"
    }
}

extension GitSpawnClaims {
    /// The gate for `context`'s data folder: claims by push when a tasks folder of it is shared,
    /// else `NoSpawnClaims` (nothing changes for a machine without sync).
    static func forDataFolder(_ context: AppContext) -> any SpawnClaims {
        guard !SyncRepository.all(home: context.home).isEmpty,
            let machine = try? MachineIdentity.id(home: context.home, environment: context.environment)
        else { return NoSpawnClaims() }
        let lease = context.environment[leaseVariable].flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil } ?? defaultLeaseSeconds
        return GitSpawnClaims(
            home: context.home, machineID: machine, runner: context.processes.runner, environment: context.environment,
            clock: context.clock, logger: context.logger, leaseMilliseconds: lease * 1000)
    }
}
