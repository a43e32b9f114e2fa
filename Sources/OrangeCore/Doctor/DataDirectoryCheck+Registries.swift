// The files beside the tasks: the project registry, the harness configuration and the
// workspace pool, and whether the pool and the tasks agree on who uses which worktree.

extension DataDirectoryChecker {
    var projectsPath: String { home + "/projects.json" }
    var configPath: String { home + "/config.json" }
    var poolPath: String { home + "/workspaces/.pool.json" }

    mutating func checkProjects() {
        guard let bytes = contents(projectsPath, kind: .corruptProjects) else { return }
        switch Project.decodeRegistry(bytes) {
        case .failure(let problem):
            report(.corruptProjects, projectsPath, "\(problem.reason) (fix or remove the file; orange will not overwrite it)")
        case .success(let projects):
            for project in projects where !snapshot.existingDirectories.contains(project.path) {
                report(
                    .missingRepository, projectsPath,
                    "project '\(project.name)': its repository \(project.path) does not exist (move it back, or 'orange project remove \(project.name)')"
                )
            }
        }
    }

    mutating func checkConfig() {
        guard let bytes = contents(configPath, kind: .corruptConfig) else { return }
        let json: JSONValue
        do {
            json = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            report(.corruptConfig, configPath, "\(error); no task can be spawned until it is fixed")
            return
        }
        do {
            _ = try Harnesses.parseConfig(json, file: configPath)
            _ = try NotifyHook.parse(json, file: configPath)
        } catch {
            report(.corruptConfig, configPath, "\(error.description); no task can be spawned until it is fixed")
        }
    }

    mutating func checkPool() {
        guard let bytes = contents(poolPath, kind: .corruptPool) else {
            checkTaskWorkspaces(PoolState())
            return
        }
        let pool: PoolState
        switch PoolState.decodeFile(bytes) {
        case .failure(let problem):
            report(.corruptPool, poolPath, problem.reason)
            return
        case .success(let decoded):
            pool = decoded
        }
        let tasks = Dictionary(valid.map { ($0.record.id, $0.record) }, uniquingKeysWith: { first, _ in first })
        for slot in pool.slots {
            let folder = snapshot.entry(["workspaces", slot.name])
            if folder?.isDirectory != true {
                report(
                    .poolWorktreeMissing, poolPath,
                    "workspace \(slot.name) is in the pool but its folder \(home)/workspaces/\(slot.name) is missing (run 'orange workspace gc')"
                )
            }
            guard let id = slot.task else { continue }
            if folderPaths[id] == nil {
                report(
                    .poolTaskMissing, poolPath, "workspace \(slot.name) is bound to task \(id), which does not exist",
                    fix: .releaseWorkspace(slot.name, task: id))
            } else if let task = tasks[id], task.workspace != slot.name, !spawning(task) {
                report(
                    .poolMismatch, poolPath,
                    "workspace \(slot.name) is bound to task \(id), but the task's workspace is \(task.workspace ?? "null") (run 'orange workspace gc')"
                )
            }
            if folderPaths[id] != nil, snapshot.workspaceTaskFiles[slot.name]?.kind == .file {
                report(
                    .detachedTaskLink, "\(home)/workspaces/\(slot.name)/TASK.md",
                    "detached TASK.md link: a plain file replaced the link to task \(id) (a save by rename), and the task has not seen it",
                    fix: .repairWorkspaceTaskFile(slot.name, task: id))
            }
        }
        checkTaskWorkspaces(pool)
    }

    /// A task that names a workspace the pool does not bind to it: the pool may hand it to another task.
    private mutating func checkTaskWorkspaces(_ pool: PoolState) {
        for task in valid {
            guard let workspace = task.record.workspace, pool.slot(named: workspace)?.task != task.record.id,
                !spawning(task.record), ClaimRule.runsHere(task.record, machine: snapshot.machine)
            else { continue }
            report(
                .poolMismatch, task.path, line: task.lines["workspace"],
                "workspace: \(workspace) is not bound to this task in the pool (run 'orange workspace gc')")
        }
    }

    /// A spawn holds its lock from the claim to the end; pool and task disagree for that long.
    private func spawning(_ task: TaskRecord) -> Bool {
        snapshot.heldLocks.contains("\(tasksRoot)/\(task.project)/\(task.id)/.spawn.lock")
    }

    /// The bytes of an optional file; nil (reported) when it exists but cannot be read.
    private mutating func contents(_ path: String, kind: DoctorFinding.Kind) -> [UInt8]? {
        switch snapshot.files[path] {
        case nil: return nil
        case .unreadable(let reason)?:
            report(kind, path, "cannot read: \(reason)")
            return nil
        case .bytes(let bytes)?:
            return bytes
        }
    }
}
