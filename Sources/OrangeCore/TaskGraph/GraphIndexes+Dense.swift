/// `GraphIndexes` of a whole graph at once, over its integer places: what `index(task:)` and
/// `index(owner:)` keep for each task, from dense arrays instead of a lookup by id per step.
extension GraphIndexes {
    init(_ dense: DenseTaskGraph, _ graph: TaskGraph) {
        cycles = CycleIndex(dense)
        for place in 0..<dense.count where dense.ownsLinkProblems(place) {
            let owned = graph.linkProblems(ownedBy: dense.ids[place])
            if !owned.isEmpty { problems[dense.ids[place]] = owned }
        }
        let onCycle = !cycles.isEmpty
        graph.tasks.compactValues.forEachInPlace { place, record in
            let id = dense.ids[place]
            switch dense.statuses[place] {
            case .pending:
                if isReady(place, hold: record.pointee.hold, onCycle: onCycle && cycles.path(through: id) != nil, dense) {
                    setReady(
                        id,
                        ReadyEntry(
                            time: dense.times[place], group: ReadyGroup(project: dense.projects[place], harness: record.pointee.harness),
                            lastError: record.pointee.lastError), ordered: false)
                }
            case .delegated: delegated.insert(id)
            default: break
            }
            if record.pointee.workspace != nil || record.pointee.tmuxSession != nil { holdingAgentResources.insert(id) }
        }
        orderReady()
    }

    /// `TaskGraph.readiness(of:cycles:).isReady` of a pending task: not held, on no cycle, and
    /// every blocker present, in its project and done.
    private func isReady(_ place: Int, hold: String?, onCycle: Bool, _ dense: DenseTaskGraph) -> Bool {
        guard hold == nil, !onCycle else { return false }
        let blockers = dense.blockers(of: place)
        guard blockers.count == Int(dense.blockedByCount[place]) else { return false }
        return blockers.allSatisfy { dense.statuses[Int($0)] == .done && dense.projects[Int($0)] == dense.projects[place] }
    }
}
