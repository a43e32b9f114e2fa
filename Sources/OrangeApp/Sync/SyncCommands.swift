import OrangeCore
import OrangeSystem

/// `orange sync init|status|now|release-claims` (docs/multi-machine.md).
extension Commands {
    var machineID: String { get throws { try MachineIdentity.id(home: context.home, environment: context.environment) } }

    func syncInit() throws -> CommandResult {
        guard let remote = invocation.value("remote"), !remote.isEmpty else { throw usageError("give the remote with --remote <url>") }
        let layout = context.layout
        var project: ProjectName?
        if let name = invocation.value("project") {
            guard let valid = ProjectName(validating: name) else { throw OrangeError(ProjectName.problem(with: name)!) }
            project = valid
        }
        let root = project.map(layout.projectTasksDirectory) ?? layout.tasksRoot
        let existing = SyncRepository.all(home: context.home)
        if let shared = existing.first(where: { $0.project == nil || $0.project == project || project == nil }) {
            throw OrangeError("\(shared.name) is already shared (see 'orange sync status')")
        }
        let repository = SyncRepository(root: root, project: project)
        // A folder someone keeps in git by hand stays theirs: never reconfigured, never removed.
        if FileSystem.fileExists(repository.gitDirectory) {
            throw OrangeError(
                "\(repository.name) is already a git repository; orange sync init shares a tasks folder that is not in git yet")
        }
        let machine = try machineID
        try FileSystem.makeDirectories(root)
        let git = SyncGit(runner: context.processes.runner, directory: root)
        let probe = try git.run(["ls-remote", "--heads", remote, "refs/heads/" + SyncRepository.branch], timeout: 120)
        guard probe.succeeded else { throw OrangeError("cannot reach \(remote): \(SyncGit.firstLine(probe))") }
        let remoteHasTasks = !probe.stdout.trimmingSpaces().isEmpty
        try git.check(["init", "--quiet", "-b", SyncRepository.branch])
        do {
            try SyncRepository.configure(
                at: repository, runner: context.processes.runner, machine: machine, orangeExecutable: context.processes.executablePath)
            try git.check(["remote", "add", "origin", remote])
            try claimRunningTasks(in: repository, machine: machine)
            let sync = TaskSync(
                repository: repository, machine: machine, runner: context.processes.runner, environment: context.environment,
                clock: context.clock)
            try sync.locked {
                try sync.commitLocal("orange \(machine): share \(repository.name)")
                if remoteHasTasks {
                    guard case .reachable = try sync.fetch() else { throw OrangeError("cannot fetch from \(remote)") }
                    // Two histories meet once: this machine's tasks and the remote's.
                    let merged = try git.run([
                        "merge", "--quiet", "--no-edit", "--allow-unrelated-histories", "-m", "orange \(machine): join", "origin/main",
                    ])
                    guard merged.succeeded else {
                        _ = try? git.run(["merge", "--abort"])
                        throw OrangeError("this machine's tasks conflict with the remote's: \(SyncGit.firstLine(merged))")
                    }
                }
                guard case .accepted = try sync.push() else { throw OrangeError("cannot push to \(remote)") }
            }
            try git.check(["branch", "--quiet", "--set-upstream-to=origin/" + SyncRepository.branch])
        } catch {
            // Nothing half set up stays: the folder is as it was, without git.
            try? FileSystem.removeTree(repository.gitDirectory)
            throw error
        }
        let count = (try? context.stores.tasks.scanWithoutBodies(project: project).tasks.count) ?? 0
        let how = remoteHasTasks ? "joined" : "pushed to"
        return CommandResult(
            text: "Shared \(repository.name): \(how) \(remote) as machine \(machine) (\(count) task(s) here now)\n",
            json: .object([
                ("repository", .string(repository.name)), ("remote", .string(remote)), ("machine", .string(machine)),
                ("cloned", .bool(remoteHasTasks)), ("tasks", .int(Int64(count))),
            ]))
    }

    /// Tasks whose agent runs here when the folder becomes shared are claimed by this machine,
    /// so no other machine starts them again or acts on their sessions.
    private func claimRunningTasks(in repository: SyncRepository, machine: String) throws {
        let until = context.clock.now().adding(milliseconds: GitSpawnClaims.defaultLeaseSeconds * 1000)
        for task in try context.stores.tasks.scanWithoutBodies(project: repository.project).tasks
        where task.claimedBy == nil && SyncFollower.holdsMachine(task) {
            try context.stores.tasks.update(task.id, in: task.project) { record in
                if record.claimedBy == nil { record.setClaim(ClaimStamp(machine: machine, until: until)) }
            }
        }
    }

    func syncStatus() throws -> CommandResult {
        let repositories = SyncRepository.all(home: context.home)
        let machine = MachineIdentity.existing(home: context.home, environment: context.environment)
        guard !repositories.isEmpty else {
            return CommandResult(
                text: "No tasks folder is shared. Share one with 'orange sync init --remote <url>'.\n",
                json: .object([("machine", .optional(machine)), ("repositories", .array([]))]))
        }
        let tasks = try context.stores.tasks.scanWithoutBodies(project: nil).tasks
        let now = context.clock.now()
        var text = "machine \(machine ?? "?")\n"
        var items: [JSONValue] = []
        for repository in repositories {
            let git = SyncGit(runner: context.processes.runner, directory: repository.root)
            let remote = (try? git.check(["remote", "get-url", "origin"])) ?? ""
            let reachable = (try? git.run(["ls-remote", "--heads", "origin"], timeout: 15))?.succeeded ?? false
            let counts = (try? git.check(["rev-list", "--left-right", "--count", "HEAD...origin/" + SyncRepository.branch]))?
                .split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }
            let (ahead, behind) = (counts?.first ?? 0, counts?.dropFirst().first ?? 0)
            let state = TaskSync.readState(repository)
            let claims = tasks.filter { repository.covers($0.project) && $0.claimedBy != nil && $0.claimedBy == machine }
                .filter(SyncFollower.holdsMachine)
            // Another machine's tasks whose lease it stopped renewing: they wait on a person
            // (docs/decisions.md), who must be told which, and whose.
            let expired = tasks.filter {
                repository.covers($0.project) && $0.claimedBy != nil && $0.claimedBy != machine && SyncFollower.holdsMachine($0)
                    && !ClaimRule.isLive($0, now: now)
            }
            let uncommitted = (try? git.check(["status", "--porcelain"]))?.split(separator: "\n").count ?? 0
            items.append(
                .object([
                    ("repository", .string(repository.name)), ("remote", .string(remote)), ("reachable", .bool(reachable)),
                    ("ahead", .int(Int64(ahead))), ("behind", .int(Int64(behind))), ("uncommitted", .int(Int64(uncommitted))),
                    ("last_fetch", .optional(state.lastFetch?.rfc3339)), ("last_push", .optional(state.lastPush?.rfc3339)),
                    ("error", .optional(state.error)), ("conflict", .array(state.conflict.map(JSONValue.string))),
                    ("claims", .array(claims.map { .string($0.id.rawValue) })),
                    (
                        "expired_claims",
                        .array(
                            expired.map {
                                .object([
                                    ("task", .string($0.id.rawValue)), ("machine", .optional($0.claimedBy)),
                                    ("claim_until", .optional($0.claimUntil?.rfc3339)),
                                ])
                            })
                    ),
                ]))
            text += "\(repository.name)  \(remote)  \(reachable ? "reachable" : "UNREACHABLE")\n"
            text += "  ahead \(ahead), behind \(behind), \(uncommitted) uncommitted change(s)\n"
            text += "  last fetch \(state.lastFetch?.rfc3339 ?? "never"), last push \(state.lastPush?.rfc3339 ?? "never")\n"
            if let error = state.error { text += "  last error: \(error)\n" }
            if !state.conflict.isEmpty { text += "  not merged (conflict): \(state.conflict.joined(separator: ", "))\n" }
            text += "  claims held here: \(claims.isEmpty ? "none" : claims.map(\.id.rawValue).joined(separator: ", "))\n"
            if !expired.isEmpty {
                text +=
                    "  expired claims of other machines (no longer renewed; if the machine is dead: "
                    + "'orange sync release-claims --machine <id>'):\n"
                for task in expired {
                    text += "    \(task.id)  \(task.claimedBy ?? "?")  lease ended \(task.claimUntil?.rfc3339 ?? "?")\n"
                }
            }
        }
        return CommandResult(text: text, json: .object([("machine", .optional(machine)), ("repositories", .array(items))]))
    }

    func syncNow() throws -> CommandResult {
        let repositories = SyncRepository.all(home: context.home)
        guard !repositories.isEmpty else {
            throw OrangeError("no tasks folder is shared; share one with 'orange sync init --remote <url>'")
        }
        let machine = try machineID
        var text = ""
        var items: [JSONValue] = []
        var failed = false
        for repository in repositories {
            let report = try TaskSync(
                repository: repository, machine: machine, runner: context.processes.runner, environment: context.environment,
                clock: context.clock
            ).once()
            report.log(repository.name, context.logger)
            var merged = 0
            if case .merged(let files) = report.merge { merged = files }
            failed = failed || report.error != nil
            items.append(
                .object([
                    ("repository", .string(repository.name)), ("committed", .bool(report.committed)), ("merged_files", .int(Int64(merged))),
                    ("pushed", .bool(report.pushed)), ("reachable", .bool(report.reachable)), ("error", .optional(report.error)),
                ]))
            text +=
                "\(repository.name): " + (report.committed ? "committed, " : "") + "merged \(merged) file(s), "
                + (report.pushed ? "pushed" : "not pushed") + (report.error.map { " (\($0))" } ?? "") + "\n"
        }
        // No reconcile here: what arrived is acted on by this machine's engine (or the next command
        // that changes tasks), so `sync now` alone never starts an agent.
        return CommandResult(text: text, json: .object([("repositories", .array(items))]), exitCode: failed ? 1 : 0)
    }

    func syncReleaseClaims() throws -> CommandResult {
        guard let machine = invocation.value("machine"), MachineIdentity.valid(machine) != nil else {
            throw usageError("give the machine with --machine <id> (see 'orange sync status' on it, or claimed_by in TASK.md)")
        }
        let force = invocation.flag("force")
        let now = context.clock.now()
        if machine == MachineIdentity.existing(home: context.home, environment: context.environment) && !force {
            throw OrangeError("\(machine) is this machine; its claims are released by its own commands (or use --force)")
        }
        // Decide on the latest state: a renewal the machine pushed just before it died counts.
        let syncs = try SyncRepository.all(home: context.home).map { repository in
            TaskSync(
                repository: repository, machine: try machineID, runner: context.processes.runner, environment: context.environment,
                clock: context.clock)
        }
        for sync in syncs { _ = try sync.once() }
        let claimed = try context.stores.tasks.scanWithoutBodies(project: nil).tasks.filter { $0.claimedBy == machine }
        let live = claimed.filter { ClaimRule.isLive($0, now: now) && SyncFollower.holdsMachine($0) }
        if !live.isEmpty && !force {
            throw OrangeError(
                "machine \(machine) still holds a live lease on \(live.map(\.id.rawValue).joined(separator: ", ")); "
                    + "it renews them while its engine runs. If you know it is dead, add --force")
        }
        var released: [TaskID] = []
        for task in claimed {
            let note = StatusChangeNote(by: .human, cause: "claim of machine \(machine) released", at: now)
            let (_, after) = try context.stores.tasks.update(task.id, in: task.project, recording: note) { record in
                guard record.claimedBy == machine else { return }
                if [.working, .clarification].contains(record.status) { record.status = .pending }
                record.setClaim(nil)
                record.workspace = nil
                record.tmuxSession = nil
                record.updatedAt = now
            }
            if after.claimedBy == nil { released.append(task.id) }
        }
        let errors = try syncs.compactMap { try $0.once().error }
        if !released.isEmpty, let error = errors.first {
            throw OrangeError(
                "released \(released.count) claim(s) of \(machine) here, but they are not pushed yet: \(error); run 'orange sync now' again"
            )
        }
        return CommandResult(
            text: released.isEmpty
                ? "Machine \(machine) holds no claim.\n"
                : "Released \(released.count) claim(s) of \(machine): \(released.map(\.rawValue).joined(separator: ", "))\n",
            json: .object([("machine", .string(machine)), ("released", .array(released.map { .string($0.rawValue) }))]))
    }
}
