/// Chooses which ready tasks start now: oldest first, at most the free slots of each project.
/// Tasks beyond a project's free slots wait (the seed's "pool exhausted" case).
public enum SpawnPlanner {
    public static func plan(ready: [TaskRecord], freeSlots: [ProjectName: Int]) -> [TaskID] {
        var remaining = freeSlots
        var chosen: [TaskID] = []
        for task in ready.sorted(by: { creationOrder($0, $1) }) {
            guard let free = remaining[task.project], free > 0 else { continue }
            remaining[task.project] = free - 1
            chosen.append(task.id)
        }
        return chosen
    }
}
