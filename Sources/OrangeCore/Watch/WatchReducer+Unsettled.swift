extension WatchReducer {
    /// Why `isSettled` is false, in words: the engine says it when a `watch sync` has waited long,
    /// so a person (or a failing test) sees what held it.
    public var unsettledReasons: [String] {
        var reasons: [String] = []
        if let next = state.timers.first {
            reasons.append("\(state.timers.count) timer(s) pending, the next for \(next.key)")
        }
        if state.storm.active {
            reasons.append(
                "a storm holds \(state.storm.waiting.count) task(s)" + (state.lockPresent ? " while git's index lock is there" : ""))
        }
        if state.readsOutstanding > 0 { reasons.append("\(state.readsOutstanding) read(s) outstanding") }
        if !state.dirtyKeys.isEmpty { reasons.append("\(state.dirtyKeys.count) change(s) not yet in the graph") }
        if state.resync.scheduledAt != nil || state.resync.inProgress { reasons.append("a resync") }
        if state.sweepInProgress { reasons.append("a sweep") }
        return reasons
    }
}
