/// Something the dashboard asks the app to do; the state itself never performs I/O.
public enum DashboardEffect: Equatable, Sendable {
    /// Run `orange <arguments>` in-process; `task` shows `processing…` meanwhile.
    case command([String], task: TaskID?)
    /// Hand the terminal to the task's tmux session.
    case attach(TaskID)
    /// Read the task's TASK.md and show it as a page.
    case viewFile(TaskID)
    /// Open a pull request's page (`xdg-open`), or show its URL where nothing can open it.
    case openURL(String)
    case quit
}

extension DashboardState {
    /// Applies one key and returns what the app must do.
    public mutating func handle(_ key: Key, pageHeight: Int = 20) -> [DashboardEffect] {
        if key == .interrupt { return [.quit] }
        switch mode {
        case .list:
            return handleList(key, pageHeight: pageHeight)
        case .confirm(let action, let id):
            switch key {
            case .character("y"), .character("Y"):
                mode = .list
                return [.command(["task", action.rawValue, id.rawValue, "--yes"], task: id)]
            case .character("n"), .character("N"), .escape, .character("q"):
                mode = .list
                message = nil
            default:
                break
            }
            return []
        case .create(var form):
            return handleCreate(key, form: &form)
        case .requestChanges(let id, let text):
            return handleRequestChanges(key, id: id, text: text)
        case .page(let title, let lines, let offset):
            let last = max(0, lines.count - pageHeight)
            switch key {
            case .character("q"), .escape, .enter: mode = .list
            case .character("j"), .down: mode = .page(title: title, lines: lines, offset: min(last, offset + 1))
            case .character("k"), .up: mode = .page(title: title, lines: lines, offset: max(0, offset - 1))
            case .character(" "), .pageDown: mode = .page(title: title, lines: lines, offset: min(last, offset + pageHeight))
            case .pageUp: mode = .page(title: title, lines: lines, offset: max(0, offset - pageHeight))
            case .home, .character("g"): mode = .page(title: title, lines: lines, offset: 0)
            case .end, .character("G"): mode = .page(title: title, lines: lines, offset: last)
            default: break
            }
            return []
        }
    }

    /// Keeps the selection on a visible row (the first one when it went away).
    public mutating func normalizeSelection() {
        let model = rowModel()
        if let selected, model.position[selected] != nil { return }
        selected = model.ids.first
    }

    /// Moves over the rows already built: no task is read, sorted or evaluated again.
    private mutating func moveSelection(by delta: Int) {
        let model = rowModel()
        guard !model.ids.isEmpty else { selected = nil; return }
        let index = selected.flatMap { model.position[$0] } ?? 0
        selected = model.ids[max(0, min(model.ids.count - 1, index + delta))]
    }

    private mutating func handleList(_ key: Key, pageHeight: Int) -> [DashboardEffect] {
        let task = selected.flatMap { graph[$0] }
        switch key {
        case .character("q"): return [.quit]
        case .character("j"), .down: moveSelection(by: 1)
        case .character("k"), .up: moveSelection(by: -1)
        case .pageDown: moveSelection(by: pageHeight)
        case .pageUp: moveSelection(by: -pageHeight)
        case .home: moveSelection(by: -Int(Int32.max))
        case .end: moveSelection(by: Int(Int32.max))
        case .character("t"):
            layout = layout == .nested ? .flat : .nested
        case .character("f"):
            let all = Filter.allCases
            filter = all[(all.firstIndex(of: filter)! + 1) % all.count]
            normalizeSelection()
        case .character("?"):
            mode = .page(title: "orange dashboard: keys", lines: Self.helpLines, offset: 0)
        case .character("g"):
            let ids = graph.inCreationOrder(graph.tasks.values.filter { project == nil || $0.project == project }.map(\.id))
            let tree = graph.renderTree(ids).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            mode = .page(title: "Task graph" + (project.map { " (\($0))" } ?? ""), lines: tree, offset: 0)
        case .character("c"):
            guard let target = project ?? task?.project else {
                message = Message("select a task of the project first, or open the dashboard with --project", isError: true)
                return []
            }
            mode = .create(CreateForm(project: target))
            message = nil
        case .enter:
            guard let task else { return [] }
            switch DashboardKeys.enterAction(for: task, state: self) {
            case .spawn: return [.command(["task", "spawn", task.id.rawValue], task: task.id)]
            case .respawn: return [.command(["task", "respawn", task.id.rawValue], task: task.id)]
            case .attach: return [.attach(task.id)]
            case .none: message = Message(nothingToDo(task), isError: true)
            }
        case .character(let c) where task != nil:
            return handleTaskKey(c, task: task!)
        default:
            break
        }
        return []
    }

    private mutating func handleTaskKey(_ c: Character, task: TaskRecord) -> [DashboardEffect] {
        let id = task.id.rawValue
        switch c {
        case "v": return [.viewFile(task.id)]
        case "p": return pullRequestKey(task)
        case "a" where task.status == .reviewing: return [.command(["task", "approve", id], task: task.id)]
        case "u" where task.status == .reviewed: return [.command(["task", "unapprove", id], task: task.id)]
        case "m" where task.status == .reviewed: return [.command(["task", "merge", id], task: task.id)]
        case "r" where [.reviewing, .reviewed].contains(task.status):
            mode = .requestChanges(task.id, text: "")
            message = nil
        case "x" where !task.status.isTerminal: mode = .confirm(.cancel, task.id)
        case "d" where task.status.isTerminal: mode = .confirm(.delete, task.id)
        case "a", "u", "m", "x", "d", "r":
            let verb = ["a": "approve", "u": "unapprove", "m": "merge", "x": "cancel", "d": "delete", "r": "request changes of"][c]!
            message = Message("cannot \(verb) a task that is \(task.status.rawValue)", isError: true)
        default: break
        }
        return []
    }

    /// Typing the request: Enter sends it (words after `--`, so a request starting with `-` is
    /// text), Esc drops it.
    private mutating func handleRequestChanges(_ key: Key, id: TaskID, text: String) -> [DashboardEffect] {
        var text = text
        switch key {
        case .escape:
            mode = .list
            return []
        case .enter:
            guard !text.trimmingSpaces().isEmpty else {
                message = Message("type what to change, or Esc", isError: true)
                return []
            }
            mode = .list
            return [.command(["task", "request-changes", id.rawValue, "--", text.trimmingSpaces()], task: id)]
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .character(let c):
            text.append(c)
        default:
            break
        }
        mode = .requestChanges(id, text: text)
        return []
    }

    private func nothingToDo(_ task: TaskRecord) -> String {
        switch task.status {
        case .pending: return "\(task.branch) is not ready: " + (DashboardState.blockedText(graph.readiness(of: task.id)) ?? "waiting")
        case .delegated:
            let p = graph.progress(of: task.id)
            return "\(task.branch) is delegated: it completes when its sub-tasks are done (\(p.done)/\(p.total))"
        default: return "\(task.branch) is \(task.status.rawValue): nothing to start"
        }
    }

    static func blockedText(_ readiness: Readiness) -> String? {
        switch readiness {
        case .blocked(let blockers): return "blocked by " + blockers.map(\.description).joined(separator: ", ")
        case .onCycle: return "on a dependency cycle"
        case .held(let reason): return reason.isEmpty ? "held" : "held: \(reason)"
        default: return nil
        }
    }

    private mutating func handleCreate(_ key: Key, form: inout CreateForm) -> [DashboardEffect] {
        switch key {
        case .escape:
            mode = .list
            return []
        case .tab, .down:
            form.field = CreateForm.Field(rawValue: (form.field.rawValue + 1) % CreateForm.Field.allCases.count)!
        case .backTab, .up:
            form.field = CreateForm.Field(
                rawValue: (form.field.rawValue + CreateForm.Field.allCases.count - 1) % CreateForm.Field.allCases.count)!
        case .backspace:
            if !form[form.field].isEmpty { form[form.field].removeLast() }
        case .character(let c):
            form[form.field].append(c)
        case .enter:
            switch createArguments(form) {
            case .success(let arguments):
                mode = .list
                return [.command(arguments, task: nil)]
            case .failure(let problem):
                message = Message(problem.text, isError: true)
            }
        default:
            break
        }
        mode = .create(form)
        return []
    }

    struct FormProblem: Error { var text: String }

    /// The `orange task create` command line for a filled form; names become ids here, so the
    /// command validates ids as it would for anyone.
    func createArguments(_ form: CreateForm) -> Result<[String], FormProblem> {
        let branch = form[.branch].trimmingSpaces()
        guard !branch.isEmpty else { return .failure(FormProblem(text: "a branch name is required")) }
        var arguments = ["task", "create", branch, form[.description].trimmingSpaces(), "--project", form.project.rawValue, "--no-spawn"]
        for (field, option) in [(CreateForm.Field.blockedBy, "--blocked-by"), (.parent, "--parent")] {
            let names = form[field].split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            if field == .parent && names.count > 1 { return .failure(FormProblem(text: "a task has one parent")) }
            for name in names {
                guard let id = resolveTask(name, in: form.project) else {
                    return .failure(FormProblem(text: "no task '\(name)' in project \(form.project) (\(field.label))"))
                }
                arguments += [option, id.rawValue]
            }
        }
        return .success(arguments)
    }

    /// A task id, or the branch of an unfinished task (else any task) in the project.
    func resolveTask(_ name: String, in project: ProjectName) -> TaskID? {
        if let id = TaskID(validating: name), graph[id] != nil { return id }
        let matches = graph.tasks.values.filter { $0.project == project && $0.branch == name }
        return (matches.first { !$0.status.isTerminal } ?? matches.first)?.id
    }

    static let helpLines: [String] = [
        "Moving", "  j / ↓, k / ↑     next, previous task", "  PgDn, PgUp       a screen down, up", "  Home, End        first, last task",
        "",
        "Acting on the selected task",
        "  Enter            pending and ready: spawn · agent running: attach · agent gone or failed: respawn",
        "  a                approve (reviewing → reviewed)", "  u                send back to review (reviewed → reviewing)",
        "  m                merge a reviewed task into the default branch, push, finish it",
        "  r                request changes: type what to change, Enter sends it to the agent (→ working)",
        "  x                cancel (asks first)", "  d                delete a finished task's folder (asks first)",
        "  v                view its TASK.md",
        "  p                open its pull request (xdg-open, else its URL is shown); none yet and in review: open one",
        "",
        "Everything",
        "  c                create a task: branch, description, blocked by, parent (ids or branch names)",
        "  f                filter: all → active → done", "  t                nested (sub-tasks under parents) or flat (parent column)",
        "  g                the task graph as a tree", "  ?                this page", "  q, Ctrl-C        quit", "",
        "Columns",
        "  ● agent running   ✗ agent exited or session gone   ○ no agent",
        "  PR✓ PR✗ PR… PR: its pull request, with its checks passing, failing, running (none: no checks or not asked yet)",
        "  'pending (ready)' starts as soon as a workspace is free; 'delegated (2/3)' counts done sub-tasks.",
        "", "When this dashboard holds the engine lock it runs the engine: ready tasks start and delegated",
        "tasks complete on their own. When an 'orange watch' runs, the dashboard follows it.",
    ]
}
