import OrangeCore
import OrangeSystem

/// Runs a project's set-up command (`orange project setup`) in a task's worktree before its
/// agent starts. The output goes to the task's `setup.log`; a failure throws, and the spawner
/// counts it like any failed spawn (rolled back, retried once, then `failed`), with the
/// output's tail in `last_error`.
struct WorktreeSetupRunner {
    let context: AppContext

    static func logFile(_ task: TaskRecord, home: String) -> String {
        DataDirectory(home: home).taskDirectory(task.id, in: task.project) + "/setup.log"
    }

    func run(_ setup: WorktreeSetup, for task: TaskRecord, project: Project, workspacePath: String) throws {
        guard let env = context.processes.locateProgram("env", "/usr/bin:/bin") else {
            throw OrangeError("'env' (coreutils) is not installed")
        }
        let log = Self.logFile(task, home: context.home)
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
            try? AtomicFile.write("$ \(ShellQuoting.commandLine(setup.command))\n\(error)\n", to: log)
            throw OrangeError("setup command could not start: \(error) (see \(log))")
        }
        let seconds = Double((context.clock.monotonicNanoseconds() - started) / 1_000_000) / 1000
        let outcome =
            result.timedOut
            ? "timed out after \(setup.timeoutSeconds) s" : result.exitCode == 0 ? "exited 0" : "exited with status \(result.exitCode)"
        var text = "$ \(ShellQuoting.commandLine(setup.command))   (in \(workspacePath))\n" + result.stdout
        if !result.stderr.isEmpty { text += (text.hasSuffix("\n") ? "" : "\n") + result.stderr }
        text += (text.hasSuffix("\n") ? "" : "\n") + "[setup \(outcome) in \(seconds) s]\n"
        try? AtomicFile.write(text, to: log)
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
