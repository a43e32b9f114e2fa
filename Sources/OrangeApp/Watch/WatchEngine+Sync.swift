import OrangeCore

/// The engine's part in shared tasks folders (`orange sync`): it starts the follower that
/// commits, fetches, merges and pushes on its own queue, and asks it for a round after each
/// change it sees, so this machine's writes leave within moments.
extension WatchEngine {
    /// The follower, started; nil for a follower engine, or when no tasks folder is shared.
    func startSyncing() -> SyncFollower? {
        guard options.performsActions, !context.stores.sharedTasks.names().isEmpty,
            let machine = context.stores.claims.machine
        else { return nil }
        for repository in SyncRepository.all(home: context.home) {
            do {
                try SyncRepository.registerMergeDriver(
                    at: repository, runner: context.processes.runner, orangeExecutable: context.processes.executablePath)
            } catch {
                let message = "\(repository.name): cannot register orange's TASK.md merge driver: \(error)"
                emit(.object([("event", "diagnostic"), ("message", .string(message))]), "! \(message)")
            }
        }
        let follower = SyncFollower(context: context, machine: machine, intervalSeconds: options.syncIntervalSeconds, emit: emit)
        follower.start()
        return follower
    }
}
