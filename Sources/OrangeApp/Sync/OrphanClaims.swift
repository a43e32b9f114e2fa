import OrangeCore

/// A claim of this machine that no spawn followed: the remote accepted it, then the machine died
/// before it wrote the claim here, and the next fetch brought it back (the task says `working`,
/// claimed by this machine, with no session, no workspace and no spawn in progress). Nothing
/// runs it and nothing else would ever look at it (its lease is this machine's to renew), so it
/// is given back: pending, without a claim, for any machine to take.
struct OrphanClaims {
    let context: AppContext

    /// Checks `tasks` (full passes only); returns the tasks given back.
    func giveBack(_ tasks: [TaskRecord]) throws -> [TaskID] {
        guard let machine = context.stores.claims.machine else { return [] }
        let guards = context.stores.spawnGuards
        var given: [TaskID] = []
        for task in tasks where Self.isOrphan(task, machine: machine) && guards.marker(task.id, in: task.project) == nil {
            do {
                try guards.withSpawnLock(task.id, in: task.project, timeoutSeconds: 0) {
                    let note = StatusChangeNote(by: .engine, cause: "claim without a spawn given back", at: context.clock.now())
                    let (_, after) = try context.stores.tasks.update(task.id, in: task.project, recording: note) { record in
                        guard Self.isOrphan(record, machine: machine) else { return }
                        record.status = .pending
                        record.setClaim(nil)
                        record.updatedAt = note.time
                    }
                    if after.status == .pending { given.append(task.id) }
                }
            } catch is SpawnLockBusy {
                continue  // a spawn is in progress
            }
        }
        for id in given {
            context.logger.warn("sync", "A claim no spawn followed was given back", [("task_id", .string(id.rawValue))])
        }
        return given
    }

    static func isOrphan(_ task: TaskRecord, machine: String) -> Bool {
        task.status == .working && task.claimedBy == machine && task.tmuxSession == nil && task.workspace == nil
    }
}
