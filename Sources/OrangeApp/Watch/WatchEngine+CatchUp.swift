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
    /// A gate may open before the catch-up is asked for (a file of the scan that did not parse
    /// at first, read again task by task): the catch-up decides on the graph holding that task,
    /// so it is covered too. A reconcile of the start-up's tasks by ids held every task's whole
    /// record at once (60 MB at 100,000) and doubled the catch-up's work.
    func notCoveredByCatchUp(_ ids: [TaskID]) -> [TaskID] {
        if catchUpCoversEveryGate { return [] }
        guard let changed = changedSinceCatchUp else { return ids }
        return ids.filter { changed.contains($0) }
    }

    /// Every gate that opens now is the catch-up's: it has not been asked for yet (it will
    /// decide on the graph holding these tasks), or nothing changed since it was.
    var catchUpCoversEveryGate: Bool { !catchUpAskedFor || changedSinceCatchUp?.isEmpty == true }

    /// Ends the cover once every gate the start-up read armed has opened.
    func endCatchUpCoverIfSettled() {
        if changedSinceCatchUp != nil && driver.isSettled { changedSinceCatchUp = nil }
    }
}

extension WatchEngine {
    /// Asks for the start-up catch-up, once: as soon as the start-up batch is in the graph
    /// (`startUpBatchEnded`), so that the worker builds the graph's indexes and catches up while
    /// the loop opens the batch's action gates (one after the other, they held the first
    /// `watch sync` 0.3 s at 100,000 tasks); else once the start-up scan is handled.
    ///
    /// Catching up on anything due before the engine started, it decides on the graph just read
    /// (reading the tree again doubled the start-up), or from disk when the graph is not the
    /// whole truth. The sweeps stay the backup that owes nothing to the engine's own view.
    func askForCatchUp(_ worker: EngineWorker) {
        guard !catchUpAskedFor else { return }
        catchUpAskedFor = true
        guard options.performsActions else { return }
        worker.request(nil, deciding: catchUpGraph())
        changedSinceCatchUp = []
    }

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
