extension TaskGraph {
    /// Why a task is not ready (or not done), walking blockers and children down to the root
    /// causes. One line per step; the last lines name what a person or agent must do.
    public func why(_ id: TaskID, cycles: CycleIndex? = nil) -> [String] {
        guard let task = tasks[id] else { return ["\(id) does not exist"] }
        var lines: [String] = []
        var seen: Set<TaskID> = [id]
        var roots: [String] = []

        func name(_ id: TaskID) -> String {
            guard let task = tasks[id] else { return "\(id)" }
            return "\(id) (\(task.branch))"
        }

        func explain(_ id: TaskID, depth: Int) {
            guard let task = tasks[id] else { return }
            let indent = String(repeating: "  ", count: depth)
            switch task.status {
            case .pending:
                switch readiness(of: id, cycles: cycles) {
                case .ready:
                    lines.append("\(indent)\(name(id)) is ready and waits for a free workspace slot")
                    roots.append("\(name(id)) is ready")
                case .onCycle(let path):
                    lines.append("\(indent)\(name(id)) is on a dependency cycle: \(formatCycle(path))")
                    roots.append("break the cycle by removing one edge (orange task update <id> --unblock <id>)")
                case .blocked(let blockers):
                    for blocker in blockers {
                        lines.append("\(indent)\(name(id)) is blocked by \(name(blocker.id)): \(blocker.stateText)")
                        switch blocker.state {
                        case .waiting:
                            if seen.insert(blocker.id).inserted { explain(blocker.id, depth: depth + 1) }
                        case .needsPerson(let status):
                            roots.append("\(blocker.id) is \(status.rawValue): reopen it, or remove the dependency with --unblock \(blocker.id)")
                        case .missing:
                            roots.append("\(blocker.id) does not exist: remove the dependency with --unblock \(blocker.id)")
                        case .otherProject:
                            roots.append("\(blocker.id) is in another project: remove the dependency with --unblock \(blocker.id)")
                        }
                    }
                case .notPending:
                    break
                }
            case .delegated:
                let progress = progress(of: id)
                lines.append("\(indent)\(name(id)) is delegated and waits for its children (\(progress.done)/\(progress.total) done)")
                for child in children(of: id) where tasks[child]?.status != .done {
                    guard let record = tasks[child] else {
                        lines.append("\(indent)  child \(child) does not exist")
                        roots.append("child \(child) is missing: the parent cannot complete on its own")
                        continue
                    }
                    if record.status == .cancelled || record.status == .failed {
                        lines.append("\(indent)  child \(name(child)) is \(record.status.rawValue)")
                        roots.append("child \(child) is \(record.status.rawValue): the parent needs a person")
                    } else if seen.insert(child).inserted {
                        explain(child, depth: depth + 1)
                    }
                }
            case .done:
                lines.append("\(indent)\(name(id)) is done")
            default:
                lines.append("\(indent)\(name(id)) is \(task.status.rawValue)")
                roots.append("\(name(id)) is \(task.status.rawValue)" + (task.status.hasAgent ? " (an agent is on it)" : ""))
            }
        }

        explain(id, depth: 0)
        if task.status == .done { return lines }
        if !roots.isEmpty {
            var unique: [String] = []
            for root in roots where !unique.contains(root) { unique.append(root) }
            lines.append("root cause" + (unique.count > 1 ? "s" : "") + ":")
            lines += unique.map { "  " + $0 }
        }
        return lines
    }
}
