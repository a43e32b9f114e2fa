import OrangeCore
import OrangeSystem

extension Commands {
    func watch() throws -> CommandResult {
        var options = WatchEngine.Options(json: invocation.wantsJSON)
        if let text = invocation.value("sweep-interval") {
            guard let seconds = Double(text), seconds >= 0.1, seconds <= 86_400 else {
                throw usageError("--sweep-interval must be a number of seconds from 0.1 to 86400")
            }
            options.sweepIntervalSeconds = seconds
        }
        if let text = invocation.value("quiet-ms") {
            guard let ms = UInt64(text), ms >= 1, ms <= 10_000 else {
                throw usageError("--quiet-ms must be a whole number from 1 to 10000")
            }
            options.quietMilliseconds = ms
        }
        if let text = invocation.value("poll-interval") {
            guard let seconds = Double(text), seconds >= 0.05, seconds <= 3_600 else {
                throw usageError("--poll-interval must be a number of seconds from 0.05 to 3600")
            }
            options.pollIntervalSeconds = seconds
        }
        if let text = invocation.value("pr-interval") {
            guard let seconds = Double(text), seconds == 0 || (seconds >= 0.05 && seconds <= 86_400) else {
                throw usageError("--pr-interval must be 0 (off) or a number of seconds from 0.05 to 86400")
            }
            options.pullRequestIntervalSeconds = seconds
        }
        if let text = invocation.value("sync-interval") {
            guard let seconds = Double(text), seconds >= 0.05, seconds <= 86_400 else {
                throw usageError("--sync-interval must be a number of seconds from 0.05 to 86400")
            }
            options.syncIntervalSeconds = seconds
        }
        // Only an explicit --project scopes the engine; unlike other commands, it is never
        // inferred from the current directory (an engine started in a repository still covers
        // every project unless told otherwise).
        if invocation.value("project") != nil { options.project = try resolveProject().name }
        // One engine per ORANGE_HOME, with or without --project (docs/decisions.md).
        let lock = try EngineLock(home: context.home)
        defer { withExtendedLifetime(lock) {} }
        if invocation.flag("once") {
            let transitions = try Reconciler(context: context).reconcile(changed: nil, project: options.project)
            AttentionNotifier(context: context, inBackground: false).check(changed: nil, transitions: transitions)
            return CommandResult(
                text: transitions.isEmpty ? "Nothing to do.\n" : transitions.map { $0.line + "\n" }.joined(),
                json: .object([("transitions", .array(transitions.map(\.json)))]))
        }
        let code = try WatchEngine(context: context, options: options, print: context.console.streamOutput).run()
        return CommandResult(text: "", json: .null, exitCode: code)
    }

    /// Drops a cookie into the tasks folder and waits for the engine to answer it: the engine sees
    /// events in order, so once it answers, everything written before this command is applied.
    func watchSync() throws -> CommandResult {
        var timeout = 30.0
        if let text = invocation.value("timeout") {
            guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                throw usageError("--timeout must be a number of seconds from 0 to 86400 (got '\(text)')")
            }
            timeout = seconds
        }
        let sync = context.stores.engineSync
        guard try sync.engineIsRunning() else {
            throw OrangeError("no orange engine is running for \(context.home); start one with 'orange watch'")
        }
        let token = TransientFileNames.syncToken(pid: context.processes.table.currentProcess, counter: context.clock.monotonicNanoseconds())
        try sync.dropCookie(token)
        let deadline = context.clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while !sync.takeAnswer(token) {
            if context.clock.monotonicNanoseconds() > deadline {
                // Nobody will answer it now (the engine died, or had not started watching yet).
                sync.withdrawCookie(token)
                throw OrangeError("the engine did not answer within \(timeout)s")
            }
            context.clock.sleep(milliseconds: 2)
        }
        return CommandResult(text: "synced\n", json: .object([("synced", true)]))
    }
}
