/// Chooses which ready tasks start now: oldest first, at most the free slots of each project.
/// Tasks beyond a project's free slots wait (the seed's "pool exhausted" case).
public enum SpawnPlanner {
    public static func plan(ready: [TaskRecord], freeSlots: [ProjectName: Int]) -> [TaskID] {
        plan(ready: ready, freeSlots: freeSlots, graph: TaskGraph(), modes: { _ in ProjectModes() }).spawn
    }

    /// What starts now: parents' reassess turns first (each takes a slot), then ready tasks, each
    /// only if its scope lets it: a parallel scope always does; a sequential one only when
    /// nothing in it runs, nothing in it was chosen in this plan, and, under a parent, the
    /// parent is `delegated` (not in its reassess turn, nor about to be).
    public static func plan(
        ready: [TaskRecord], freeSlots: [ProjectName: Int], graph: TaskGraph,
        modes: (ProjectName) -> ProjectModes, reassess: [ReassessTurn] = []
    ) -> (reassess: [ReassessTurn], spawn: [TaskID]) {
        var remaining = freeSlots
        func takeSlot(_ project: ProjectName) -> Bool {
            guard let free = remaining[project], free > 0 else { return false }
            remaining[project] = free - 1
            return true
        }
        var turns: [ReassessTurn] = []
        /// Scopes that are taken in this plan: a parent key, or a project's top level.
        var takenParents: Set<TaskID> = []
        var takenProjects: Set<ProjectName> = []
        for turn in reassess {
            guard let parent = graph[turn.parent], takeSlot(parent.project) else { continue }
            turns.append(turn)
            takenParents.insert(turn.parent)
        }
        var occupiedProjects: [ProjectName: Bool] = [:]
        func projectOccupied(_ project: ProjectName) -> Bool {
            if let known = occupiedProjects[project] { return known }
            let occupied = graph.tasks.values.contains {
                $0.project == project && graph.scopeParent(of: $0.id) == nil && graph.occupiesScope($0.id)
            }
            occupiedProjects[project] = occupied
            return occupied
        }
        var chosen: [TaskID] = []
        for task in ready.sorted(by: { creationOrder($0, $1) }) {
            if graph[task.id] != nil, graph.scopeExecution(of: task.id, project: modes(task.project)) == .sequential {
                if let parent = graph.scopeParent(of: task.id) {
                    guard graph[parent]?.status == .delegated, !takenParents.contains(parent),
                        !graph.children(of: parent).contains(where: graph.occupiesScope)
                    else { continue }
                    guard takeSlot(task.project) else { continue }
                    takenParents.insert(parent)
                } else {
                    guard !takenProjects.contains(task.project), !projectOccupied(task.project) else { continue }
                    guard takeSlot(task.project) else { continue }
                    takenProjects.insert(task.project)
                }
                chosen.append(task.id)
                continue
            }
            guard takeSlot(task.project) else { continue }
            chosen.append(task.id)
        }
        return (turns, chosen)
    }
}
