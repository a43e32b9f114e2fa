/// A coding agent orange can run: how to start it, how to restart it, what it writes.
///
/// Commands are argv templates; `{prompt}`, `{task_file}`, `{task_id}` and `{workspace}` are
/// replaced inside each argument, so a description can never become shell syntax.
public struct Harness: Hashable, Sendable {
    public struct SetupFile: Hashable, Sendable {
        /// Relative to the workspace.
        public var path: String
        public var content: String
    }

    public var name: String
    public var spawn: [String]
    public var respawn: [String]
    /// Patterns added to the repository's exclude file so the harness's files never make a
    /// worktree dirty.
    public var excludes: [String]
    public var setupFiles: [SetupFile]
    /// Where `orange install` puts the orange skill, relative to `$HOME` (built-ins only).
    public var skillsDirectory: String?
    public var isBuiltIn: Bool

    /// The program that must be on PATH.
    public var binary: String { spawn.first ?? name }

    /// The argv to run: the template with placeholders filled. With no prompt, a built-in
    /// starts bare (an interactive session), as the original did.
    public func command(respawn: Bool, values: HarnessValues) -> [String] {
        if isBuiltIn && values.prompt.trimmingSpaces().isEmpty { return [binary] }
        return (respawn ? self.respawn : spawn).map { values.substitute(into: $0) }
    }
}

/// The values a harness command template can use.
public struct HarnessValues: Hashable, Sendable {
    public var prompt: String
    public var taskFile: String
    public var taskID: String
    public var workspace: String

    public init(prompt: String, taskFile: String, taskID: String, workspace: String) {
        self.prompt = prompt
        self.taskFile = taskFile
        self.taskID = taskID
        self.workspace = workspace
    }

    func substitute(into argument: String) -> String {
        // One pass, left to right, so a value containing `{task_id}` is never expanded again.
        var out = ""
        var rest = argument[...]
        let table = [("{prompt}", prompt), ("{task_file}", taskFile), ("{task_id}", taskID), ("{workspace}", workspace)]
        outer: while !rest.isEmpty {
            for (key, value) in table where rest.hasPrefix(key) {
                out += value
                rest = rest.dropFirst(key.count)
                continue outer
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}

public enum Harnesses {
    public static let builtIns: [Harness] = [
        Harness(
            name: "claude", spawn: ["claude", "--dangerously-skip-permissions", "{prompt}"],
            respawn: ["claude", "--continue", "--permission-mode", "acceptEdits", "{prompt}"], excludes: [".claude/"],
            setupFiles: [
                .init(
                    path: ".claude/settings.local.json",
                    content: """
                        {
                          "permissions": {
                            "allow": ["Bash(orange:*)", "Bash(git status:*)", "Bash(git diff:*)", "Bash(git log:*)", "Bash(git add:*)", "Bash(git commit:*)"]
                          }
                        }

                        """)
            ],
            skillsDirectory: ".claude/skills", isBuiltIn: true),
        Harness(
            name: "pi", spawn: ["pi", "{prompt}"], respawn: ["pi", "{prompt}"], excludes: [".pi/"],
            setupFiles: [], skillsDirectory: ".pi/agent/skills", isBuiltIn: true),
        Harness(
            name: "opencode", spawn: ["opencode", "run", "{prompt}"], respawn: ["opencode", "run", "{prompt}"],
            excludes: [".opencode/", "opencode.json"],
            setupFiles: [.init(path: "opencode.json", content: "{\"permission\":\"allow\"}\n")],
            skillsDirectory: ".config/opencode/skills", isBuiltIn: true),
        Harness(
            name: "codex", spawn: ["codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "{prompt}"],
            respawn: ["codex", "exec", "--full-auto", "{prompt}"], excludes: [".codex/"],
            setupFiles: [], skillsDirectory: ".codex/skills", isBuiltIn: true),
    ]

    /// Patterns every workspace excludes, whatever the harness.
    public static let commonExcludes = ["TASK.md", ".orange-outcome"]

    /// Built-ins plus the user's, from `config.json`: `{"harnesses": {"name": {"command": […],
    /// "respawn": […], "excludes": […]}}}`. A user harness may replace a built-in of the same name.
    public static func parseConfig(_ json: JSONValue, file: String) throws(HarnessConfigError) -> [Harness] {
        var result = builtIns
        guard let entries = json["harnesses"] else { return result }
        guard let pairs = entries.objectValue else { throw HarnessConfigError("\(file): \"harnesses\" must be an object") }
        for (name, entry) in pairs {
            guard isValidName(name) else {
                throw HarnessConfigError("\(file): invalid harness name '\(name)' (letters, digits, '.', '_', '-')")
            }
            guard let command = entry["command"]?.arrayValue?.compactMap(\.stringValue), !command.isEmpty,
                command.count == entry["command"]?.arrayValue?.count
            else { throw HarnessConfigError("\(file): harness '\(name)' needs \"command\": a non-empty list of strings") }
            let respawn = entry["respawn"]?.arrayValue?.compactMap(\.stringValue) ?? command
            let excludes = entry["excludes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            for pattern in excludes where pattern.contains("\n") || pattern.isEmpty {
                throw HarnessConfigError("\(file): harness '\(name)' has an invalid exclude pattern")
            }
            let harness = Harness(
                name: name, spawn: command, respawn: respawn.isEmpty ? command : respawn, excludes: excludes, setupFiles: [],
                skillsDirectory: nil, isBuiltIn: false)
            result.removeAll { $0.name == name }
            result.append(harness)
        }
        return result
    }

    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && (("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_"
                        || $0 == "-")
            }
    }

    /// The prompt an agent starts with.
    public static func spawnPrompt(for task: TaskRecord) -> String {
        var text =
            "You are an orange worker on task \(task.id) (branch \(task.branch)). Your task is in TASK.md in the current directory; read it first."
        if !task.description.isEmpty { text += "\n\nTask: \(task.description)" }
        text += """


            When you are done, commit your work and run: orange task update --status reviewing
            If you need an answer from a person: orange task update --status clarification
            If you cannot go on: orange task update --status stuck
            If the task is too big, split it: create sub-tasks from this folder with
            orange task create <branch> "<what>" [--blocked-by <id>] (they become children of this task),
            then run: orange task update --status delegated
            """
        return text
    }

    /// The prompt of a sequential parent's reassess turn: which child finished and what it
    /// changed, the children left, what the parent may do, and how to hand back.
    public static func reassessPrompt(for parent: TaskRecord, finished: [TaskRecord], changes: [TaskID: String], remaining: [TaskRecord])
        -> String
    {
        var text =
            "You are the orange agent of task \(parent.id) (branch \(parent.branch)). You delegated it to sub-tasks that run one at a time (sequential), and orange gives you this turn to reassess the plan before the next one starts. Your task is in TASK.md in the current directory."
        if !parent.description.isEmpty { text += "\n\nTask: \(parent.description)" }
        for child in finished {
            text += "\n\nSub-task \(child.id) (branch \(child.branch)) is done: \(child.description)"
            if let change = changes[child.id], !change.isEmpty { text += "\nWhat it changed:\n\(change)" }
        }
        text += "\n\nChildren left:"
        if remaining.isEmpty { text += " none" }
        for child in remaining {
            var line = "\n- \(child.id) [\(child.status.rawValue)] \(child.branch): \(child.description)"
            if !child.blockedBy.isEmpty { line += " (blocked by \(child.blockedBy.map(\.rawValue).joined(separator: ", ")))" }
            text += line
        }
        text += """


            Reassess now. From this folder you may:
            - add a child: orange task create <branch> "<what>" [--blocked-by <id>]
            - cancel one: orange task cancel <id> --yes
            - reorder them: orange task update <id> --blocked-by <other> (or --unblock <other>)
            - rewrite one: orange task update <id> --description "<what>"
            Then run: orange task update --status delegated
            The next ready child starts only after that.
            """
        return text
    }

    public static func respawnPrompt(for task: TaskRecord) -> String {
        let conflict =
            task.body.contains(MergeConflictNote.heading + "\n")
            ? "TASK.md has a '\(MergeConflictNote.heading)' section: merging your branch into your parent's branch conflicted. Resolve that first, as it says.\n\n"
            : ""
        // A task sent back from review carries the request: the agent starts on it at once.
        let review =
            task.status == .working
            ? ReviewNotes.latest(in: task.body).map {
                "A reviewer requested changes (review round \($0.round); every round is in TASK.md under '\(ReviewNotes.heading)'):\n\($0.request)\n\n"
            } ?? "" : ""
        return conflict + review
            + "Continue orange task \(task.id) (branch \(task.branch)); it was \(task.status.rawValue) when your session ended. Read TASK.md and the git log, then carry on.\n\n"
            + spawnPrompt(for: task)
    }
}

public struct HarnessConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
