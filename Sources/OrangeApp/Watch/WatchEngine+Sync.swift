import OrangeCore

/// The engine's part in shared tasks folders (`orange sync`): it starts the follower that
/// commits, fetches, merges and pushes on its own queue, and asks it for a round after each
/// change it sees, so this machine's writes leave within moments.
extension WatchEngine {
    /// The follower, started; nil for a follower engine, or when no tasks folder is shared.
    func startSyncing() -> SyncFollower? {
        guard options.performsActions, !SyncRepository.all(home: context.home).isEmpty,
            let machine = context.stores.claims.machine
        else { return nil }
        let follower = SyncFollower(context: context, machine: machine, intervalSeconds: options.syncIntervalSeconds, emit: emit)
        follower.start()
        return follower
    }
}
