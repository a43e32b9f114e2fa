extension TaskGraph {
    /// Why a task is not ready (or not done), walking blockers and children down to the root
    /// causes. One line per step; the last lines name what a person or agent must do.
    ///
    /// `readyNote` tells, for a ready task, what really holds it when it is not a full pool (its
    /// harness missing, a failed spawn's retry not due): the graph alone cannot know.
    public func why(_ id: TaskID, cycles: CycleIndex? = nil, readyNote: (TaskID) -> String? = { _ in nil }) -> [String] {
        guard let task = tasks[id] else { return ["\(id) does not exist"] }
        var lines: [String] = []
        var seen: Set<TaskID> = [id]
        var roots: [String] = []

        func name(_ id: TaskID) -> String {
            guard let task = tasks[id] else { return "\(id)" }
            return "\(id) (\(task.branch))"
        }

        /// What explaining one task produces, in order: lines, root causes, and the tasks to
        /// explain in turn (only if not seen by then, exactly as a recursive walk would).
        enum Step {
            case line(String)
            case root(String)
            case explain(TaskID, depth: Int)
        }

        func steps(_ id: TaskID, depth: Int) -> [Step] {
            guard let task = tasks[id] else { return [] }
            var out: [Step] = []
            let indent = Self.indentation(depth)
            switch task.status {
            case .pending:
                switch readiness(of: id, cycles: cycles) {
                case .ready:
                    if let note = readyNote(id) {
                        out.append(.line("\(indent)\(name(id)) is ready but not started: \(note)"))
                        out.append(.root(note))
                    } else {
                        out.append(.line("\(indent)\(name(id)) is ready and waits for a free workspace slot"))
                        out.append(.root("\(name(id)) is ready"))
                    }
                case .held(let reason):
                    out.append(.line("\(indent)\(name(id)) is held" + (reason.isEmpty ? "" : ": \(reason)")))
                    out.append(.root(Readiness.held(reason).holdExplanation(id) ?? "held"))
                case .onCycle(let path):
                    out.append(.line("\(indent)\(name(id)) is on a dependency cycle: \(formatCycle(path))"))
                    out.append(.root("break the cycle by removing one edge (orange task update <id> --unblock <id>)"))
                case .blocked(let blockers):
                    for blocker in blockers {
                        out.append(.line("\(indent)\(name(id)) is blocked by \(name(blocker.id)): \(blocker.stateText)"))
                        switch blocker.state {
                        case .waiting:
                            out.append(.explain(blocker.id, depth: depth + 1))
                        case .needsPerson(let status):
                            out.append(
                                .root(
                                    "\(blocker.id) is \(status.rawValue): reopen it, or remove the dependency with --unblock \(blocker.id)")
                            )
                        case .missing:
                            out.append(.root("\(blocker.id) does not exist: remove the dependency with --unblock \(blocker.id)"))
                        case .otherProject:
                            out.append(.root("\(blocker.id) is in another project: remove the dependency with --unblock \(blocker.id)"))
                        }
                    }
                case .notPending:
                    break
                }
            case .delegated:
                let progress = progress(of: id)
                out.append(.line("\(indent)\(name(id)) is delegated and waits for its children (\(progress.done)/\(progress.total) done)"))
                for child in children(of: id) where tasks[child]?.status != .done {
                    guard let record = tasks[child] else {
                        out.append(.line("\(indent)  child \(child) does not exist"))
                        out.append(.root("child \(child) is missing: the parent cannot complete on its own"))
                        continue
                    }
                    if record.status == .cancelled || record.status == .failed {
                        out.append(.line("\(indent)  child \(name(child)) is \(record.status.rawValue)"))
                        out.append(.root("child \(child) is \(record.status.rawValue): the parent needs a person"))
                    } else {
                        out.append(.explain(child, depth: depth + 1))
                    }
                }
            case .done:
                out.append(.line("\(indent)\(name(id)) is done"))
            default:
                out.append(.line("\(indent)\(name(id)) is \(task.status.rawValue)"))
                out.append(.root("\(name(id)) is \(task.status.rawValue)" + (task.status.hasAgent ? " (an agent is on it)" : "")))
            }
            return out
        }

        // An explicit stack rather than recursion: chains thousands of levels deep must not
        // overflow the stack. Steps are pushed in reverse so they run in order.
        var stack = steps(id, depth: 0).reversed() as [Step]
        while let step = stack.popLast() {
            switch step {
            case .line(let line): lines.append(line)
            case .root(let root): roots.append(root)
            case .explain(let next, let depth):
                if seen.insert(next).inserted { stack += steps(next, depth: depth).reversed() }
            }
        }
        if task.status == .done { return lines }
        if !roots.isEmpty {
            // A set for membership: a task with 10,000 blockers has as many roots, and a linear
            // search per root took seconds.
            var unique: [String] = []
            var seenRoots: Set<String> = []
            for root in roots where seenRoots.insert(root).inserted { unique.append(root) }
            lines.append("root cause" + (unique.count > 1 ? "s" : "") + ":")
            lines += unique.map { "  " + $0 }
        }
        return lines
    }
}
