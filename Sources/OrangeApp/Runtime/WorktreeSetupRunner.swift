import OrangeCore

/// Runs a project's set-up command (`orange project setup`) in a task's worktree before its
/// agent starts. The output goes to the task's `setup.log`; a failure throws, and the spawner
/// counts it like any failed spawn (rolled back, retried once, then `failed`), with the
/// output's tail in `last_error`.
struct WorktreeSetupRunner {
    let context: AppContext

    static let logName = "setup.log"

    /// Where the task's `setup.log` is, beside its TASK.md.
    static func logFile(_ task: TaskRecord, context: AppContext) -> String {
        let taskFile = context.stores.tasks.taskFilePath(task.id, in: task.project)
        return String(taskFile[..<(taskFile.lastIndex(of: "/") ?? taskFile.endIndex)]) + "/" + logName
    }

    /// Writes the log beside the task's TASK.md, whole (a reader never sees half of it).
    private func writeLog(_ text: String, for task: TaskRecord) {
        let taskFile = context.stores.tasks.taskFilePath(task.id, in: task.project)
        _ = try? context.stores.workspaceFolders.keep(Array(text.utf8), nextTo: taskFile, as: Self.logName)
    }

    func run(_ setup: WorktreeSetup, for task: TaskRecord, project: Project, workspacePath: String) throws {
        guard let env = context.processes.locateProgram("env", "/usr/bin:/bin") else {
            throw OrangeError("'env' (coreutils) is not installed")
        }
        let log = Self.logFile(task, context: context)
        let environment = [
            "ORANGE_HOME": context.home, "ORANGE_TASK_ID": task.id.rawValue, "ORANGE_PROJECT": project.name.rawValue,
            "ORANGE_PROJECT_PATH": project.path, "ORANGE_WORKSPACE": workspacePath, "ORANGE_BRANCH": task.branch,
        ]
        let started = context.clock.monotonicNanoseconds()
        // `env -C`: the command starts in the worktree, exec'd directly (never through a shell).
        let result: ProcessResult
        do {
            result = try context.processes.runner.run(
                [env, "-C", workspacePath] + setup.command, environment: environment, input: nil,
                timeoutSeconds: Double(setup.timeoutSeconds))
        } catch {
            writeLog("$ \(ShellQuoting.commandLine(setup.command))\n\(error)\n", for: task)
            throw OrangeError("setup command could not start: \(error) (see \(log))")
        }
        let seconds = Double((context.clock.monotonicNanoseconds() - started) / 1_000_000) / 1000
        let outcome =
            result.timedOut
            ? "timed out after \(setup.timeoutSeconds) s" : result.exitCode == 0 ? "exited 0" : "exited with status \(result.exitCode)"
        var text = "$ \(ShellQuoting.commandLine(setup.command))   (in \(workspacePath))\n" + result.stdout
        if !result.stderr.isEmpty { text += (text.hasSuffix("\n") ? "" : "\n") + result.stderr }
        text += (text.hasSuffix("\n") ? "" : "\n") + "[setup \(outcome) in \(seconds) s]\n"
        writeLog(text, for: task)
        try? context.stores.tasks.appendHistory(
            HistoryEvent(
                type: "setup.finished", timestamp: context.clock.now(),
                fields: [("exit_code", .int(Int64(result.exitCode))), ("timed_out", .bool(result.timedOut)), ("log", .string(log))]),
            for: task.id, in: task.project)
        guard result.succeeded else {
            let tail = WorktreeSetup.tail(of: result.stdout + "\n" + result.stderr)
            throw OrangeError("setup command \(outcome) (output in \(log))" + (tail.isEmpty ? "" : ":\n" + tail))
        }
    }
}
