import OrangeCore

/// Parses a command line, runs the command and turns every outcome (result, usage error,
/// failure) into text, JSON and an exit code: 0 ok, 1 failure, 2 usage error.
public struct OrangeCLI: Sendable {
    public var context: AppContext
    let parser = ArgumentParser(commands: OrangeCommands.all)

    public init(context: AppContext) {
        self.context = context
    }

    public func execute(_ arguments: [String]) -> CommandOutcome {
        // `orange` alone opens the dashboard on a terminal, and prints help anywhere else.
        if arguments.isEmpty && context.console.hasTerminal { return execute(["dashboard"]) }
        // `orange --all`, `orange -p coffee`: the dashboard's own options open it, as in the original.
        if let first = arguments.first, Self.opensDashboard(first) { return execute(["dashboard"] + arguments) }
        let wantsJSON = arguments.prefix(while: { $0 != "--" }).contains("--json")
        // `orange help task create` is `orange task create --help`; `orange help` is `orange --help`.
        if arguments.first == "help" {
            // `orange help --man`: the man page, from the same table as --help.
            if arguments.dropFirst().elementsEqual(["--man"]) { return CommandOutcome(stdout: ManPage.render(), stderr: "", exitCode: 0) }
            let words = arguments.dropFirst().filter { $0 != "--json" }
            if words.contains(where: { $0.hasPrefix("-") }) {
                return failure(
                    "'orange help' takes command words only (e.g. 'orange help task create')", hint: nil, exitCode: 2, json: wantsJSON)
            }
            return execute(Array(words) + ["--help"])
        }
        if arguments.first == "--version" && arguments.dropFirst().allSatisfy({ $0 == "--json" }) {
            let out =
                wantsJSON
                ? JSONEnvelope.wrap(.object([("version", .string(OrangeCommands.version))])).prettyRendered() + "\n"
                : "orange \(OrangeCommands.version)\n"
            return CommandOutcome(stdout: out, stderr: "", exitCode: 0)
        }
        let parsed: ParsedCommandLine
        do {
            parsed = try parser.parse(arguments)
        } catch {
            let hint =
                error.command.map { "Usage: \(HelpRenderer.usage($0))\nRun 'orange \($0.name) --help' for details." }
                ?? "Run 'orange --help' for the list of commands."
            return failure(error.message, hint: hint, exitCode: 2, json: wantsJSON)
        }
        switch parsed {
        case .help(let prefix):
            let help =
                OrangeCommands.all.first(where: { $0.path == prefix }).map { HelpRenderer.render($0) }
                ?? HelpRenderer.render(group: prefix, commands: OrangeCommands.all, intro: OrangeCommands.intro)
            // Under --json the help is an envelope too: a script never gets text it cannot parse.
            let out = wantsJSON ? JSONEnvelope.wrap(.object([("help", .string(help))])).prettyRendered() + "\n" : help
            return CommandOutcome(stdout: out, stderr: "", exitCode: 0)
        case .run(let invocation):
            let started = context.clock.monotonicNanoseconds()
            do {
                let result = try dispatch(invocation)
                log(invocation, started: started, error: nil)
                if invocation.wantsJSON, let prepared = result.preparedJSON {
                    return CommandOutcome(stdout: "", stderr: "", exitCode: result.exitCode, preparedStdout: prepared)
                }
                if invocation.wantsJSON {
                    // Streaming commands (watch, attach) have already printed what they had.
                    let text = result.renderedJSON ?? (result.json == .null ? "" : JSONEnvelope.wrap(result.json).prettyRendered() + "\n")
                    return CommandOutcome(stdout: text, stderr: "", exitCode: result.exitCode)
                }
                return CommandOutcome(stdout: TerminalSafe.text(result.text), stderr: "", exitCode: result.exitCode)
            } catch let error as UsageError {
                return failure(
                    error.message, hint: "Usage: \(HelpRenderer.usage(invocation.command))", exitCode: 2, json: invocation.wantsJSON)
            } catch let error as OrangeError {
                log(invocation, started: started, error: error.message)
                return failure(error.message, hint: nil, exitCode: error.exitCode, json: invocation.wantsJSON)
            } catch {
                log(invocation, started: started, error: "\(error)")
                return failure("\(error)", hint: nil, exitCode: 1, json: invocation.wantsJSON)
            }
        }
    }

    /// Whether a first word is one of the dashboard's options (not --help, --json, --version).
    static func opensDashboard(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word != "-", word != "--" else { return false }
        let name = word.hasPrefix("--") ? String(word.dropFirst(2).prefix { $0 != "=" }) : String(word.dropFirst().prefix(1))
        guard
            let option = word.hasPrefix("--")
                ? OrangeCommands.dashboard.option(named: name) : name.first.flatMap(OrangeCommands.dashboard.option(short:))
        else { return false }
        return option.name != "help" && option.name != "json"
    }

    private func failure(_ message: String, hint: String?, exitCode: Int32, json: Bool) -> CommandOutcome {
        if json {
            return CommandOutcome(
                stdout: JSONEnvelope.error(message, usage: exitCode == 2).prettyRendered() + "\n", stderr: "", exitCode: exitCode)
        }
        // Messages quote what the user or a file gave (an id, a branch): never raw controls.
        return CommandOutcome(
            stdout: "", stderr: TerminalSafe.text("error: \(message)\n" + (hint.map { $0 + "\n" } ?? "")), exitCode: exitCode)
    }

    private func log(_ invocation: Invocation, started: UInt64, error: String?) {
        let ms = Int64((context.clock.monotonicNanoseconds() - started) / 1_000_000)
        var fields: [(String, JSONValue)] = [("command", .string(invocation.command.name)), ("duration_ms", .int(ms))]
        if let error {
            fields.append(("error", .string(error)))
            context.logger.warn("cli", "Command failed", fields)
        } else {
            context.logger.debug("cli", "Command done", fields)
        }
    }

    private func dispatch(_ invocation: Invocation) throws -> CommandResult {
        var safe = terminalSafe(context, json: invocation.wantsJSON)
        // Long git operations say what they do on a terminal; not under --json, and not in the
        // commands that own the screen or stream their own lines.
        if let progress = context.console.progress, !invocation.wantsJSON,
            !["watch", "dashboard", "demo"].contains(invocation.command.path[0])
        {
            safe.processes.git = ProgressGit(base: context.processes.git, say: { progress(TerminalSafe.text($0)) })
        }
        // Commands the dashboard runs inside its own screen must not write to it.
        safe.console.progress = nil
        let commands = Commands(context: safe, invocation: invocation)
        // `doctor` reports a detached TASK.md link and `doctor --fix` repairs it: not done behind its back.
        // `completion` runs at every Tab: it only reads.
        // `sync merge-driver` runs inside a git merge, on files that are not the data folder's.
        if !([["doctor"], ["completion"], ["sync", "merge-driver"]] as [[String]]).contains(invocation.command.path) {
            commands.applyDetachedWorkspaceTaskFile()
        }
        switch invocation.command.path {
        case ["project", "add"]: return try commands.projectAdd()
        case ["project", "list"]: return try commands.projectList()
        case ["project", "update"]: return try commands.projectUpdate()
        case ["project", "remove"]: return try commands.projectRemove()
        case ["project", "setup"]: return try commands.projectSetup()
        case ["task", "create"]: return try commands.taskCreate()
        case ["task", "list"]: return try commands.taskList()
        case ["task", "show"]: return try commands.taskShow()
        case ["task", "why"]: return try commands.taskWhy()
        case ["task", "update"]: return try commands.taskUpdate()
        case ["task", "cancel"]: return try commands.taskCancel()
        case ["task", "delete"]: return try commands.taskDelete()
        case ["task", "spawn"]: return try commands.taskSpawn()
        case ["task", "hold"]: return try commands.taskHold()
        case ["task", "unhold"]: return try commands.taskUnhold()
        case ["task", "respawn"]: return try commands.taskRespawn()
        case ["task", "attach"]: return try commands.taskAttach()
        case ["task", "approve"]: return try commands.taskApprove()
        case ["task", "unapprove"]: return try commands.taskUnapprove()
        case ["task", "merge"]: return try commands.taskMerge()
        case ["task", "pr"], ["task", "create-pr"]: return try commands.taskPullRequest()
        case ["task", "request-changes"]: return try commands.taskRequestChanges()
        case ["task", "log"]: return try commands.taskLog()
        case ["workspace", "init"]: return try commands.workspaceInit()
        case ["workspace", "list"]: return try commands.workspaceList()
        case ["workspace", "gc"]: return try commands.workspaceGC()
        case ["workspace", "release"]: return try commands.workspaceRelease()
        case ["install"]: return try commands.install()
        case ["uninstall"]: return try commands.uninstall()
        case ["completion"]: return try commands.completion()
        case ["service", "install"]: return try commands.serviceInstall()
        case ["service", "uninstall"]: return try commands.serviceUninstall()
        case ["service", "status"]: return try commands.serviceStatus()
        case ["watch"]: return try commands.watch()
        case ["watch", "sync"]: return try commands.watchSync()
        case ["graph"]: return try commands.graph()
        case ["demo"]: return try commands.demo()
        case ["dashboard"]: return try commands.dashboard()
        case ["log"]: return try commands.log()
        case ["doctor"]: return try commands.doctor()
        case ["sync", "merge-driver"]: return try commands.syncMergeDriver()
        case ["sync", "init"]: return try commands.syncInit()
        case ["sync", "status"]: return try commands.syncStatus()
        case ["sync", "now"]: return try commands.syncNow()
        case ["sync", "release-claims"]: return try commands.syncReleaseClaims()
        default: throw OrangeError("command 'orange \(invocation.command.name)' is not available")
        }
    }
}

/// The context a command runs with: everything it prints for people goes through `TerminalSafe`
/// (JSON escapes control characters itself, and must keep the text exact).
private func terminalSafe(_ context: AppContext, json: Bool) -> AppContext {
    var safe = context
    let diagnostics = context.console.diagnostics
    if json {
        // Under --json, a warning is a JSON line of its own on stderr, for scripts to read.
        safe.console.diagnostics = { text in
            for line in text.split(separator: "\n") {
                let message = line.hasPrefix("warning: ") ? String(line.dropFirst("warning: ".count)) : String(line)
                diagnostics(JSONEnvelope.warning(message).rendered() + "\n")
            }
        }
    } else {
        safe.console.diagnostics = { diagnostics(TerminalSafe.text($0)) }
        let stream = context.console.streamOutput
        safe.console.streamOutput = { stream(TerminalSafe.text($0)) }
    }
    return safe
}

/// The command handlers, one extension per area; each reads `invocation` and returns a result.
struct Commands {
    let context: AppContext
    let invocation: Invocation

    /// An option value the command cannot take (exit 2, with the command's usage): a mistake in
    /// the command line, not a failure of the command.
    func usageError(_ message: String) -> UsageError {
        UsageError(message, command: invocation.command)
    }
}
