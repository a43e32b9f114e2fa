import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The replay's invariants, checked after the system has settled, against the model and the
/// files. Each returns what is wrong, in words that name the task.
extension ReplayModel {
    /// Follows each task's new `status.changed` lines, accepting only the test's own changes (in
    /// order), a work agent's report, and the moves orange makes by itself when justified.
    mutating func checkTasks(_ observed: [String: ObservedTask]) -> [String] {
        var problems: [String] = []
        let liveIDs = Set(live.map(\.id))
        for id in Set(observed.keys).subtracting(liveIDs) { problems.append("\(id): a task the test never created or deleted is there") }
        for id in liveIDs.subtracting(observed.keys) { problems.append("\(id): lost: the task is gone") }
        let before = self
        for id in order {
            guard var task = tasks[id], !task.deleted, let seen = observed[id] else { continue }
            let json = seen.json
            // No lost update: what the test wrote is still there.
            if json["description"]?.stringValue != task.description {
                problems.append(
                    "\(id): lost update: description is \(json["description"]?.stringValue ?? "nil"), the test wrote \(task.description)")
            }
            if json["parent"]?.stringValue != task.parent {
                problems.append("\(id): parent is \(json["parent"] ?? .null), expected \(task.parent ?? "none")")
            }
            let children = json["children"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if children != task.children { problems.append("\(id): children \(children), expected \(task.children)") }
            let blockers = json["blocked_by"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if blockers != task.blockers { problems.append("\(id): blocked_by \(blockers), expected \(task.blockers)") }
            // Complete history: the lines chain from pending to the status in TASK.md.
            var previous = "pending"
            for (index, line) in seen.statusLines.enumerated() {
                if line.from != previous {
                    problems.append(
                        "\(id): history line \(index + 1) is \(line.from)>\(line.to) by \(line.by), but the line before it ends at \(previous)"
                    )
                }
                previous = line.to
            }
            if previous != seen.status { problems.append("\(id): history ends at \(previous), TASK.md says \(seen.status)") }
            // Every new line is a change the test made, or one orange or an agent may make.
            for line in seen.statusLines.dropFirst(task.linesSeen) {
                let move = "\(line.from)>\(line.to)"
                if task.expected.first == "\(move) by \(line.by)" {
                    task.expected.removeFirst()
                } else if line.by == "agent", task.tag == .work, move == "working>reviewing" {
                    // The work agent's own report.
                } else if line.by == "engine", Self.engineMove(move, task, crashes: seen.crashes, done: { before.isDone($0, observed) }) {
                    if move == "working>pending" { task.spawnsAllowed += 1 }
                } else {
                    problems.append(
                        "\(id): unexpected history line \(move) by \(line.by) (model: \(task.status), expecting \(task.expected))")
                }
                task.status = line.to
            }
            task.linesSeen = seen.statusLines.count
            if !task.expected.isEmpty { problems.append("\(id): changes the test made are missing from history: \(task.expected)") }
            task.status = seen.status
            // No double spawn.
            if seen.spawned > task.spawnsAllowed {
                problems.append("\(id): double spawn: \(seen.spawned) agent.spawned lines, at most \(task.spawnsAllowed) allowed")
            }
            if !seen.spawnFailures.isEmpty { problems.append("\(id): spawn failed: \(seen.spawnFailures)") }
            // Every death of an agent is one the test caused, and each one was answered.
            if seen.crashes != task.kills {
                problems.append("\(id): agent_crashes is \(seen.crashes), the test killed \(task.kills) of its agents")
            }
            tasks[id] = task
        }
        return problems
    }

    /// Done as orange sees it: a deleted task is missing, not done, so a delegated parent with a
    /// deleted child never completes (docs/decisions.md: doctor reports it).
    func isDone(_ id: String, _ observed: [String: ObservedTask]) -> Bool {
        observed[id]?.status == "done"
    }

    /// Done now, or when the test deleted it.
    func wasDone(_ id: String, _ observed: [String: ObservedTask]) -> Bool {
        if let task = tasks[id], task.deleted { return task.status == "done" }
        return observed[id]?.status == "done"
    }

    /// Rules for what orange decides by itself, the no-shared-worktree rules and the sessions.
    func checkRules(_ observed: [String: ObservedTask], pool: [(String, JSONValue)], sessions: [String: [String]]) -> [String] {
        var problems: [String] = []
        let bound = pool.filter { $0.1["status"] == "bound" }
        var holders: [String: String] = [:]
        for (slot, binding) in bound {
            let holder = binding["task"]?.stringValue ?? "?"
            if let other = holders[holder] { problems.append("shared worktree: the pool binds both \(other) and \(slot) to \(holder)") }
            holders[holder] = slot
            if observed[holder]?.workspace != slot {
                problems.append(
                    "shared worktree: the pool binds \(slot) to \(holder), which holds \(observed[holder]?.workspace ?? "nothing")")
            }
        }
        var byWorkspace: [String: String] = [:]
        for task in observed.values.sorted(by: { $0.id < $1.id }) {
            if let workspace = task.workspace {
                if let other = byWorkspace[workspace] { problems.append("shared worktree: \(other) and \(task.id) both name \(workspace)") }
                byWorkspace[workspace] = task.id
                if holders[task.id] != workspace { problems.append("\(task.id) holds \(workspace), which the pool does not bind to it") }
            }
            let live = sessions[task.id] ?? []
            if live.count > 1 { problems.append("double spawn: \(task.id) has \(live.count) live sessions: \(live)") }
            if ["done", "cancelled", "failed", "delegated", "pending"].contains(task.status) {
                if task.workspace != nil || task.session != nil || !live.isEmpty {
                    problems.append(
                        "\(task.id) is \(task.status) and still holds workspace \(task.workspace ?? "-"), session \(task.session ?? "-"), live \(live)"
                    )
                }
            }
            if ["working", "clarification"].contains(task.status), task.session == nil || !live.contains(task.session!) {
                problems.append("\(task.id) is \(task.status) but its agent does not run (session \(task.session ?? "-"), live \(live))")
            }
            for session in live where session != task.session {
                problems.append("\(task.id): live session \(session) is not the one it records (\(task.session ?? "-"))")
            }
        }
        for id in Set(sessions.keys).subtracting(observed.keys) { problems.append("sessions \(sessions[id]!) belong to no task") }
        // A ready task is started while its project has a free slot.
        let free = poolSize - bound.count
        for task in live where observed[task.id]?.status == "pending" {
            let ready = task.blockers.allSatisfy { observed[$0]?.status == "done" }
            if ready && free > 0 && observed[task.id]?.json["spawn_retry_at"]?.stringValue == nil {
                problems.append("\(task.id) is ready and still pending with \(free) free slot(s)")
            }
        }
        // An agent only ever started for a task whose blockers were all done (done is final, so
        // they still are, or were when the test deleted them).
        for task in live where (observed[task.id]?.spawned ?? 0) > 0 {
            if let blocker = task.blockers.first(where: { !wasDone($0, observed) }) {
                problems.append("\(task.id) was spawned, but its blocker \(blocker) is \(observed[blocker]?.status ?? "deleted")")
            }
        }
        // A delegated parent whose children are all done is done.
        for task in live where observed[task.id]?.status == "delegated" {
            if !task.children.isEmpty && task.children.allSatisfy({ isDone($0, observed) }) {
                problems.append("\(task.id) is delegated and all its children are done")
            }
        }
        return problems
    }
}
