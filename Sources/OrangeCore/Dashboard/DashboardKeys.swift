/// A key press, decoded from the bytes a terminal in raw mode sends.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace
    case interrupt
}

public enum DashboardKeys {
    /// Decodes one read's worth of bytes. Terminals send an escape sequence in one write, so a
    /// lone ESC at the end of a read is the Escape key; unknown sequences are dropped whole.
    public static func decode(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case 0x1B:
                let (key, length) = escapeSequence(bytes, at: i)
                if let key { keys.append(key) }
                i += length
                continue
            case 0x0D, 0x0A: keys.append(.enter)
            case 0x09: keys.append(.tab)
            case 0x7F, 0x08: keys.append(.backspace)
            case 0x03: keys.append(.interrupt)
            case 0x00...0x1F: break
            default:
                // One UTF-8 character: its length comes from the lead byte.
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                let end = min(bytes.count, i + length)
                if let text = String(validating: bytes[i..<end], as: UTF8.self), let character = text.first {
                    keys.append(.character(character))
                }
                i = end
                continue
            }
            i += 1
        }
        return keys
    }

    static func escapeSequence(_ bytes: [UInt8], at start: Int) -> (Key?, Int) {
        guard start + 1 < bytes.count else { return (.escape, 1) }
        let introducer = bytes[start + 1]
        guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { return (.escape, 1) }
        // Parameters are digits and ';', then one final byte in 0x40...0x7E.
        var end = start + 2
        while end < bytes.count, (0x30...0x3F).contains(bytes[end]) { end += 1 }
        guard end < bytes.count else { return (nil, bytes.count - start) }
        let parameters = String(decoding: bytes[(start + 2)..<end], as: UTF8.self)
        let key: Key?
        switch (bytes[end], parameters) {
        case (UInt8(ascii: "A"), _): key = .up
        case (UInt8(ascii: "B"), _): key = .down
        case (UInt8(ascii: "C"), _): key = .right
        case (UInt8(ascii: "D"), _): key = .left
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): key = .home
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): key = .end
        case (UInt8(ascii: "~"), "5"): key = .pageUp
        case (UInt8(ascii: "~"), "6"): key = .pageDown
        case (UInt8(ascii: "Z"), _): key = .backTab
        default: key = nil
        }
        return (key, end + 1 - start)
    }

    /// The keys that do something for the selected row, most useful first.
    public static func footer(for row: DashboardRow?, state: DashboardState) -> String {
        switch state.mode {
        case .confirm: return " y:yes n:no"
        case .create: return " Tab:next field  Enter:create  Esc:cancel"
        case .page: return " j/k:scroll q:back"
        case .requestChanges: return " type what to change  Enter:send to the agent  Esc:cancel"
        case .list: break
        }
        var keys = ["j/k:move"]
        if let id = row?.id, let task = state.graph[id] {
            keys += actions(for: task, state: state).map { "\($0.key):\($0.label)" }
        }
        keys += ["c:create", "f:filter", "t:\(state.layout == .nested ? "flat" : "nested")", "g:graph", "?:help", "q:quit"]
        return " " + keys.joined(separator: " ")
    }

    /// What each key does to `task` in its current state (Enter first).
    static func actions(for task: TaskRecord, state: DashboardState) -> [(key: String, label: String)] {
        var list: [(key: String, label: String)] = []
        switch enterAction(for: task, state: state) {
        case .spawn: list.append(("Enter", "spawn"))
        case .respawn: list.append(("Enter", "respawn"))
        case .attach: list.append(("Enter", "attach"))
        case .none: break
        }
        switch task.status {
        case .reviewing: list += [("a", "approve"), ("r", "changes")]
        case .reviewed: list += [("m", "merge"), ("u", "unapprove"), ("r", "changes")]
        default: break
        }
        list.append(("v", "view"))
        if task.prURL != nil { list.append(("p", "PR")) }
        if !task.status.isTerminal { list.append(("x", "cancel")) } else { list.append(("d", "delete")) }
        return list
    }

    enum EnterAction: Equatable { case spawn, respawn, attach, none }

    static func enterAction(for task: TaskRecord, state: DashboardState) -> EnterAction {
        switch task.status {
        case .pending:
            return state.graph.readiness(of: task.id).isReady ? .spawn : .none
        case .failed:
            return .respawn
        case .working, .clarification, .reviewing, .reviewed, .stuck:
            guard let session = task.tmuxSession else { return .respawn }
            return state.sessionsKnown && state.sessions[session] != true ? .respawn : .attach
        case .delegated, .done, .cancelled:
            return .none
        }
    }
}
