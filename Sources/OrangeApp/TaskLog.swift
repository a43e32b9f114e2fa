import OrangeCore

extension Commands {
    /// `orange task log <id> [-f] [--lines N]`: the agent's recent output, read from its tmux
    /// pane without attaching; `-f` keeps printing new lines until the session ends.
    func taskLog() throws -> CommandResult {
        let task = try requireTask(invocation.positional(0)!)
        let count = try lineCount(default: 50)
        guard let session = task.tmuxSession, context.processes.tmux.hasSession(session) else {
            throw OrangeError(
                "task \(task.id) has no agent session"
                    + (task.lastError.map { "; its last error: \($0)" } ?? "")
                    + (task.status.hasAgent ? "; start a new one with 'orange task respawn \(task.id)'" : ""))
        }
        let lines = PaneLines.completed(context.processes.tmux.captureHistory(session, lines: count) ?? "", keepLast: true).suffix(count)
        // The task object is read once: the same for every line `-f` prints.
        let taskObject = invocation.wantsJSON ? try taskJSON(task) : .null
        guard invocation.flag("follow") else {
            return CommandResult(
                text: lines.map { $0 + "\n" }.joined(), json: logJSON(taskObject, session: session, lines: Array(lines)))
        }
        try follow(taskObject, session: session, count: count)
        return CommandResult(text: "", json: .null)
    }

    private func follow(_ task: JSONValue, session: String, count: Int) throws {
        // Every capture covers the same window, so what scrolled in is what follows the end of
        // the previous one.
        let window = max(count, 500)
        let json = invocation.wantsJSON
        let print = { (lines: [String]) in
            guard !lines.isEmpty else { return }
            context.console.streamOutput(
                // Under --json each batch is an envelope of its own line (JSON Lines), as watch's events.
                json
                    ? JSONEnvelope.wrap(logJSON(task, session: session, lines: lines)).rendered() + "\n"
                    : lines.map { $0 + "\n" }.joined())
        }
        // Only completed lines are printed while the agent runs: the last one may still grow.
        var shown = PaneLines.completed(context.processes.tmux.captureHistory(session, lines: window) ?? "", keepLast: false)
        print(Array(shown.suffix(count)))
        while true {
            let alive = context.processes.tmux.isPaneDead(session) == false
            guard let text = context.processes.tmux.captureHistory(session, lines: window) else { break }
            let current = PaneLines.completed(text, keepLast: !alive)
            print(PaneLines.newLines(previous: shown, current: current))
            shown = current
            if !alive { break }
            context.clock.sleep(milliseconds: 250)
        }
    }

    private func logJSON(_ task: JSONValue, session: String, lines: [String]) -> JSONValue {
        .object([("task", task), ("session", .string(session)), ("lines", .array(lines.map { .string($0) }))])
    }

    /// `--lines N`, a positive number.
    func lineCount(default value: Int) throws -> Int {
        guard let text = invocation.value("lines") else { return value }
        guard let n = Int(text), n > 0 else { throw usageError("--lines must be a positive number (got '\(text)')") }
        return n
    }
}

/// Lines of a captured pane, and which of them are new since the last capture.
enum PaneLines {
    /// The capture's lines without the blank screen below the output; without its last line
    /// unless `keepLast` (a line the program is still writing is not printed half).
    static func completed(_ text: String, keepLast: Bool) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.trimmingSpaces().isEmpty { lines.removeLast() }
        // tmux's own line under an exited program (remain-on-exit), with the empty screen above it.
        if let last = lines.last, last.hasPrefix("Pane is dead (") {
            lines.removeLast()
            while let last = lines.last, last.trimmingSpaces().isEmpty { lines.removeLast() }
        }
        if !keepLast && !lines.isEmpty { lines.removeLast() }
        return lines
    }

    /// The lines of `current` after the longest end of `previous` it starts with: what scrolled in.
    static func newLines(previous: [String], current: [String]) -> [String] {
        var overlap = min(previous.count, current.count)
        while overlap > 0, previous.suffix(overlap).elementsEqual(current.prefix(overlap)) == false { overlap -= 1 }
        return Array(current.dropFirst(overlap))
    }
}
