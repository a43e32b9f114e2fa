import OrangeCore

/// The start-up catch-up covers the start-up read's action gates.
///
/// The reducer opens a task's action gate once its content has been stable for the quiet
/// period; at start-up every task's gate opens together, a moment after the catch-up (a full
/// reconcile of the graph just read) was asked for. A reconcile of every task again, by ids,
/// found nothing the catch-up had not decided, and at 100,000 tasks it doubled the time to the
/// first `watch sync` (which waits for both). A task whose last change came before the catch-up
/// was asked for is covered by it; only the tasks changed since are reconciled when their gate
/// opens. The cover ends once the reducer has no gate or timer left.
extension WatchEngine {
    /// `ids` less those the catch-up covers (all of them outside the start-up's cover).
    ///
    /// A gate may open while the start-up read is still being handled: arming 100,000 gates,
    /// or a loaded machine, can outlast the quiet period before the scan's last hints are
    /// handled. The catch-up is asked for right after, on the graph holding those tasks, so
    /// they are covered too; a reconcile of them by ids held every task's whole record at once
    /// (60 MB at 100,000) and doubled the catch-up's work.
    func notCoveredByCatchUp(_ ids: [TaskID]) -> [TaskID] {
        if !started { return [] }
        guard let changed = changedSinceCatchUp else { return ids }
        return ids.filter { changed.contains($0) }
    }

    /// Ends the cover once every gate the start-up read armed has opened.
    func endCatchUpCoverIfSettled() {
        if changedSinceCatchUp != nil && driver.isSettled { changedSinceCatchUp = nil }
    }
}

extension WatchEngine {
    /// The graph the start-up catch-up decides on, naming the tasks whose history the start-up
    /// read did not vouch for: the catch-up looks at those only (`StartUpHistoryCheck`). Every
    /// change applied since then is one the engine records itself (`recordStatusIfEditedOutside`).
    func catchUpGraph() -> IndexedGraph? {
        var indexed = graphForReconcile()
        indexed?.historyToCheck = historyToCheck
        historyToCheck = []
        return indexed
    }
}
