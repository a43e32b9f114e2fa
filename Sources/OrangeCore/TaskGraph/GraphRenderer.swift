/// Text forms of the graph: an indented tree for terminals, Graphviz DOT and Mermaid for docs.
public enum GraphFormat: String, Sendable, CaseIterable {
    case tree, dot, mermaid
}

extension TaskGraph {
    /// Children indented under their parents; blockers shown on each row; delegated rows with progress.
    /// Only `ids` (in their order) are roots candidates; a task whose parent is also listed is shown under it.
    ///
    /// Depth first with an explicit stack, not recursion: a delegation chain thousands of levels
    /// deep must not overflow the stack.
    public func renderTree(_ ids: [TaskID]) -> String {
        let included = Set(ids)
        var out = ""
        var shown: Set<TaskID> = []
        func tree(from root: TaskID) {
            var stack: [(id: TaskID, depth: Int)] = [(root, 0)]
            while let (id, depth) = stack.popLast() {
                guard let task = tasks[id], shown.insert(id).inserted else { continue }
                var line = Self.indentation(depth + 1) + "\(task.status.icon) \(id)  \(statusLabel(of: id))  \(task.branch)"
                let waiting = task.blockedBy.filter { tasks[$0]?.status != .done }
                if !waiting.isEmpty {
                    line += "  ⟵ blocked by " + waiting.map { "\($0) (\(tasks[$0]?.status.rawValue ?? "missing"))" }.joined(separator: ", ")
                }
                if task.status == .pending && readiness(of: id).isReady { line += "  ready" }
                let modes = [task.execution?.rawValue, task.branches?.rawValue].compactMap { $0 }
                if !modes.isEmpty { line += "  [" + modes.joined(separator: ", ") + "]" }
                out += line + "\n"
                // Reversed, so the first child is popped (and shown) first.
                for child in children(of: id).reversed() where included.contains(child) { stack.append((child, depth + 1)) }
            }
        }
        for id in ids {
            let parentShown = parents(of: id).contains { included.contains($0) && tasks[$0] != nil }
            if !parentShown { tree(from: id) }
        }
        // Anything left (a parent/child cycle) is still listed.
        for id in ids where !shown.contains(id) { tree(from: id) }
        return out
    }

    /// Two spaces per level, up to a limit: past it the depth is written as a number, so a very
    /// deep chain does not print a square of spaces (a 30,000-level chain would be gigabytes).
    static func indentation(_ depth: Int) -> String {
        let shownLevels = 40
        guard depth > shownLevels else { return String(repeating: "  ", count: depth) }
        return String(repeating: "  ", count: shownLevels) + "[\(depth)] "
    }

    public func renderDot() -> String {
        var out = "digraph orange {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
        for id in inCreationOrder(tasks.keys) {
            let task = tasks[id]!
            let label = Self.label(task) + "\\n" + statusLabel(of: id)
            out += "  \"\(id)\" [label=\"\(label)\", fillcolor=\"\(Self.colour(task.status))\"];\n"
        }
        for id in inCreationOrder(tasks.keys) {
            for blocker in tasks[id]!.blockedBy where tasks[blocker] != nil {
                out += "  \"\(blocker)\" -> \"\(id)\";\n"
            }
            for child in children(of: id) where tasks[child] != nil {
                out += "  \"\(id)\" -> \"\(child)\" [style=dashed, arrowhead=none];\n"
            }
        }
        return out + "}\n"
    }

    public func renderMermaid() -> String {
        var out = "flowchart TD\n"
        for id in inCreationOrder(tasks.keys) {
            let task = tasks[id]!
            out += "  \(id)[\"\(Self.label(task))<br/>\(statusLabel(of: id))\"]:::\(task.status.rawValue)\n"
        }
        for id in inCreationOrder(tasks.keys) {
            for blocker in tasks[id]!.blockedBy where tasks[blocker] != nil { out += "  \(blocker) --> \(id)\n" }
            for child in children(of: id) where tasks[child] != nil { out += "  \(id) -.- \(child)\n" }
        }
        for status in TaskStatus.allCases { out += "  classDef \(status.rawValue) fill:\(Self.colour(status))\n" }
        return out
    }

    /// A short, escaped node label: description (or branch), at most 40 characters, with
    /// anything that could break DOT or Mermaid syntax replaced.
    static func label(_ task: TaskRecord) -> String {
        let base = task.description.isEmpty ? task.branch : task.description
        var text = ""
        for ch in base.prefix(40) {
            switch ch {
            case "\"": text += "'"
            case "\\", "<", ">", "{", "}", "|", "[", "]", "`", "#", ";": text += " "
            case "\n", "\r", "\t": text += " "
            default: text.append(ch)
            }
        }
        return base.count > 40 ? text + "…" : text
    }

    static func colour(_ status: TaskStatus) -> String {
        switch status {
        case .pending: return "#eeeeee"
        case .clarification: return "#fff3b0"
        case .working: return "#b3d9ff"
        case .delegated: return "#d9c2ff"
        case .reviewing: return "#ffe0b3"
        case .reviewed: return "#ffd080"
        case .stuck: return "#ffb3b3"
        case .done: return "#b8e6b8"
        case .failed: return "#ff8080"
        case .cancelled: return "#cccccc"
        }
    }
}
