/// Draws a `DashboardState` into a frame of the terminal's size: a header, the task table, the
/// selected task's description, a message line and the keys for the selected row.
///
/// Pure: the same state and size give the same frame, which is what the golden tests compare.
/// Columns are dropped from the right as the terminal narrows; the task name always stays.
public enum DashboardRenderer {
    /// Lines around the table: header and column titles above; detail, message and keys below.
    public static let chromeLines = 5

    public static func render(_ state: DashboardState, width: Int, height: Int) -> ScreenFrame {
        let width = max(20, width)
        let height = max(8, height)
        if case .page(let title, let lines, let offset) = state.mode {
            return page(title: title, lines: lines, offset: offset, width: width, height: height)
        }
        let model = state.rowModel()
        var out: [ScreenFrame.Line] = [header(state, width: width)]
        let columns = Column.layout(width: width, flat: state.layout == .flat)
        out.append(ScreenFrame.Line("  " + columns.map { $0.cell($0.title) }.joined(), .dim))

        let listHeight = height - chromeLines
        var cursor: (row: Int, column: Int)?
        if case .create(let form) = state.mode {
            let formLines = createForm(form, width: width)
            out += formLines.lines
            out += Array(repeating: ScreenFrame.Line(), count: max(0, listHeight - formLines.lines.count))
            cursor = formLines.cursor.map { (row: $0.row + 2, column: $0.column) }
        } else {
            out += table(model, state: state, columns: columns, width: width, height: listHeight)
        }
        let selectedRow = state.selected.flatMap { model.rowIndex[$0] }.map { model.rows[$0] }
        let detail =
            state.selected.flatMap { state.graph[$0] }.map { task -> String in
                let text = TerminalText.sanitized(task.description)
                return "└ " + (text.isEmpty ? "(no description)" : text) + " (\(task.id))"
            } ?? ""
        out.append(ScreenFrame.Line(TerminalText.truncated(detail, to: width), .dim))
        if case .requestChanges = state.mode { cursor = (row: out.count, column: min(width - 1, messageLine(state, width: width).width)) }
        out.append(messageLine(state, width: width))
        out.append(ScreenFrame.Line(TerminalText.truncated(DashboardKeys.footer(for: selectedRow, state: state), to: width), .dim))
        // Below the narrowest table the columns themselves no longer fit: cut every line.
        return ScreenFrame(lines: out.map { $0.truncated(to: width) }, cursor: cursor)
    }

    static func header(_ state: DashboardState, width: Int) -> ScreenFrame.Line {
        var line = ScreenFrame.Line()
        line.append(" " + (state.project.map { $0.rawValue } ?? "orange (all projects)"), .bold)
        let pool = state.poolUsage
        var right = "  pool: \(pool.used)/\(pool.total)"
        switch state.engine {
        case .running: right += "  engine: running"
        case .following(let holder): right += "  engine: " + holder
        }
        right += "  [\(state.layout.rawValue) · \(state.filter.rawValue)]"
        line.append(TerminalText.truncated(right, to: max(0, width - line.width)))
        return line
    }

    /// The table's lines on screen. Only the rows in view are drawn: the rows are built once per
    /// change (`DashboardRowModel`), so a frame costs what it shows, not the size of the tree.
    static func table(_ model: DashboardRowModel, state: DashboardState, columns: [Column], width: Int, height: Int)
        -> [ScreenFrame.Line]
    {
        let rows = model.rows
        guard !rows.isEmpty else {
            var lines = [
                ScreenFrame.Line(
                    TerminalText.truncated(
                        state.graph.tasks.isEmpty || state.filter == .all
                            ? " No tasks" + (state.project.map { " in project '\($0)'" } ?? "")
                                + ". Press c to create one, or use 'orange task create'."
                            : " No \(state.filter.rawValue) tasks. Press f to change the filter.", to: width))
            ]
            lines += Array(repeating: ScreenFrame.Line(), count: max(0, height - 1))
            return lines
        }
        let total = model.lineStart[rows.count]
        let selectedLine = state.selected.flatMap { model.rowIndex[$0] }.map { model.lineStart[$0] } ?? 0
        // Keep the selection a third of the way down once the table is taller than the screen.
        var start = 0
        if total > height {
            start = max(0, min(selectedLine - height / 3, total - height))
        }
        var window: [ScreenFrame.Line] = []
        var index = model.row(atLine: start)
        var skip = start - model.lineStart[index]
        while window.count < height, index < rows.count {
            for line in lines(of: rows[index], state: state, columns: columns, width: width).dropFirst(skip) where window.count < height {
                window.append(line)
            }
            skip = 0
            index += 1
        }
        window += Array(repeating: ScreenFrame.Line(), count: max(0, height - window.count))
        return window
    }

    /// A row's line and its notes' lines.
    static func lines(of row: DashboardRow, state: DashboardState, columns: [Column], width: Int) -> [ScreenFrame.Line] {
        var row = row
        if let time = row.activityTime { row.activity = TerminalText.age(from: time, to: state.now) }
        let isSelected = row.id != nil && row.id == state.selected
        var line = ScreenFrame.Line()
        line.append(isSelected ? "❯ " : "  ", isSelected ? .bold : .plain)
        for column in columns {
            line.append(column.cell(column.value(row)), isSelected ? .bold : column.style(row))
        }
        var lines = [line]
        let indent = String(repeating: "  ", count: row.depth) + "    "
        for note in row.notes {
            lines.append(ScreenFrame.Line(TerminalText.truncated(indent + note, to: width), note.hasPrefix("⚠") ? .yellow : .dim))
        }
        return lines
    }

    static func messageLine(_ state: DashboardState, width: Int) -> ScreenFrame.Line {
        if case .confirm(let action, let id) = state.mode {
            let name = state.graph[id].map { state.displayName($0) } ?? id.rawValue
            return ScreenFrame.Line(
                TerminalText.truncated(" \(action == .cancel ? "Cancel" : "Delete") task \(name) (\(id))? y/n", to: width), .yellow)
        }
        if case .requestChanges(let id, let text) = state.mode {
            let name = state.graph[id].map { state.displayName($0) } ?? id.rawValue
            let prompt = " Changes for \(name): "
            let room = max(1, width - TerminalText.width(prompt) - 1)
            // The end of a long request stays visible while typing.
            let shown = TerminalText.width(text) < room ? text : "…" + String(text.suffix(room - 2))
            return ScreenFrame.Line(TerminalText.truncated(prompt + TerminalText.sanitized(shown), to: width), .yellow)
        }
        if let message = state.message {
            let text = TerminalText.sanitized(message.text)
            return ScreenFrame.Line(
                TerminalText.truncated(message.isError ? " Error: " + text : " ✓ " + text, to: width), message.isError ? .red : .green)
        }
        if let event = state.lastEvent {
            return ScreenFrame.Line(TerminalText.truncated(" " + TerminalText.sanitized(event), to: width), .dim)
        }
        return ScreenFrame.Line()
    }

    static func createForm(_ form: CreateForm, width: Int) -> (lines: [ScreenFrame.Line], cursor: (row: Int, column: Int)?) {
        var lines = [
            ScreenFrame.Line(
                TerminalText.truncated(" New task in \(form.project)  (Tab: next field, Enter: create, Esc: cancel)", to: width), .bold)
        ]
        var cursor: (row: Int, column: Int)?
        for field in CreateForm.Field.allCases {
            let active = field == form.field
            let label = (active ? "❯ " : "  ") + TerminalText.padded(field.label + ":", to: 13)
            let room = max(1, width - TerminalText.width(label) - 1)
            let value = form[field]
            // The end of a long value stays visible while typing.
            let shown = TerminalText.width(value) < room ? value : "…" + String(value.suffix(room - 2))
            var line = ScreenFrame.Line(label, active ? .bold : .plain)
            line.append(shown)
            if active { cursor = (row: lines.count, column: TerminalText.width(label) + TerminalText.width(shown)) }
            lines.append(line)
        }
        lines.append(
            ScreenFrame.Line(
                TerminalText.truncated("  blocked by and parent take task ids or branch names, comma separated", to: width), .dim))
        return (lines, cursor)
    }

    static func page(title: String, lines: [String], offset: Int, width: Int, height: Int) -> ScreenFrame {
        let bodyHeight = height - 2
        let start = max(0, min(offset, max(0, lines.count - bodyHeight)))
        var out = [ScreenFrame.Line(TerminalText.truncated(" " + title, to: width), .bold)]
        for line in lines[start..<min(lines.count, start + bodyHeight)] {
            out.append(ScreenFrame.Line(TerminalText.truncated(TerminalText.sanitized(line), to: width)))
        }
        out += Array(repeating: ScreenFrame.Line(), count: max(0, height - 1 - out.count))
        let position = lines.isEmpty ? "" : "  lines \(start + 1)-\(min(lines.count, start + bodyHeight)) of \(lines.count)"
        out.append(ScreenFrame.Line(TerminalText.truncated("j/k:scroll space:page q:back" + position, to: width), .dim))
        return ScreenFrame(lines: out)
    }
}

/// One table column: a title, a width and how to fill it from a row.
struct Column {
    var title: String
    var width: Int
    var alignRight = false
    var value: (DashboardRow) -> String
    var style: (DashboardRow) -> ScreenFrame.Style = { _ in .plain }

    func cell(_ text: String) -> String {
        alignRight ? TerminalText.leftPadded(text, to: width - 1) + " " : TerminalText.padded(text, to: width)
    }

    /// Columns that fit in `width`: changes go first as it narrows, then commits, then activity.
    static func layout(width: Int, flat: Bool) -> [Column] {
        let status = Column(title: "STATUS", width: 18, value: \.statusText, style: statusStyle)
        let parent = Column(title: "PARENT", width: 16, value: \.parentName)
        let commits = Column(title: "COMMITS", width: 8, alignRight: true, value: \.commits)
        let changes = Column(title: "CHANGES", width: 12, value: \.changes, style: changesStyle)
        let activity = Column(title: "ACTIVITY", width: 9, value: \.activity, style: { _ in .dim })
        var right: [Column] = [status]
        if flat { right.append(parent) }
        let budget = width - 2 - 16
        var optional = [commits, changes, activity]
        while !optional.isEmpty, (right + optional).reduce(0, { $0 + $1.width }) > budget {
            optional.remove(at: optional.count >= 2 ? (optional.count == 3 ? 1 : 0) : 0)
        }
        right += optional
        let taskWidth = max(10, width - 2 - right.reduce(0) { $0 + $1.width })
        let task = Column(title: "TASK", width: taskWidth) { row in
            String(repeating: "  ", count: row.depth) + row.session.rawValue + " " + row.name
        } style: { row in
            row.session == .crashed ? .red : .plain
        }
        return [task] + right
    }

    static func statusStyle(_ row: DashboardRow) -> ScreenFrame.Style {
        guard let status = row.status else { return .red }
        if row.statusText.hasSuffix("(ready)") { return .cyan }
        switch status {
        case .done: return .green
        case .failed, .stuck: return .red
        case .reviewing, .reviewed, .clarification: return .yellow
        default: return .plain
        }
    }

    static func changesStyle(_ row: DashboardRow) -> ScreenFrame.Style {
        if row.changes.hasSuffix(" -0") { return .green }
        if row.changes.hasPrefix("+0 ") { return .red }
        return .plain
    }
}
