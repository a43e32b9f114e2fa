extension WatchReducer {
    /// True when the graph holds every change the reducer has been told about: nothing waiting
    /// to be read or stat'ed (a settle timer, a storm), nothing held for a batch, no resync or
    /// sweep under way. Unlike `isSettled` it does not wait for the action gates, which hold
    /// actions, not graph changes: a read answered from the graph needs only this (the engine's
    /// read server, docs/watcher.md). O(timer entries), a handful once settled.
    public var graphIsCurrent: Bool {
        guard !state.storm.active, state.readsOutstanding == 0, state.dirtyKeys.isEmpty, state.heldSince == nil,
            state.resync.scheduledAt == nil, !state.resync.inProgress, !state.sweepInProgress
        else { return false }
        return !state.timers.contains { $0.kind == .settle && isLive($0) }
    }
}
