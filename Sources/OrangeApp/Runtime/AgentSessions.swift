import OrangeCore

/// Ending an agent's tmux session for good: no process it started may still run in a worktree
/// that is about to be reset and handed to another task.
///
/// `kill-session` hangs up the pane, and returns before its processes have gone. Each pane's
/// program leads a process session of its own, so what is left of the agent is found by that
/// session id (`ProcessTable`) and waited for, with a deadline; what still runs then is killed.
/// An `orange` command the agent is running ignores the hang-up (`OrangeMain`), finishes its
/// work and is waited for like the rest: an agent's own final command is never cut short, and
/// the slot is free only once it is gone. The caller itself is never waited for, since it may be
/// that very command ending its own session.
struct AgentSessions {
    let context: AppContext
    /// How long the agent's processes get to exit after the hang-up before they are killed.
    var graceSeconds: Double = 10
    /// How long killed processes get to be gone (a process in uninterruptible sleep takes time).
    var killWaitSeconds: Double = 5

    /// Ends `session` and waits until none of its processes is left. Returns false when something
    /// still runs (tmux refused to end the session, or a process survived `KILL`): the caller must
    /// then keep the workspace bound.
    func end(_ session: String) -> Bool {
        let leaders = context.processes.tmux.panePIDs(session)
        let me = context.processes.table.currentProcess
        let ownSession = leaders.contains { context.processes.table.members(ofSession: $0).contains(me) }
        if context.processes.tmux.hasSession(session) { try? context.processes.tmux.killSession(session) }
        if context.processes.tmux.hasSession(session) { return false }
        guard waitForExit(of: leaders) else { return false }
        // The agent's own command ending its own session: it leaves that session too, so that
        // once the worktree is given away no process of the old session is left at all.
        if ownSession { context.processes.table.leaveSession() }
        return true
    }

    /// Waits for the processes of the sessions led by `leaders` (the pane pids) to exit, killing
    /// them after the grace period.
    func waitForExit(of leaders: [Int32]) -> Bool {
        guard !leaders.isEmpty else { return true }
        if waitUntilGone(leaders, seconds: graceSeconds) { return true }
        let stubborn = remaining(leaders)
        context.logger.warn(
            "agent", "Agent processes still running after their session ended; killing them",
            [
                ("processes", .array(stubborn.map { .int(Int64($0)) }))
            ])
        for process in stubborn { context.processes.table.kill(process) }
        return waitUntilGone(leaders, seconds: killWaitSeconds)
    }

    private func remaining(_ leaders: [Int32]) -> [Int32] {
        let me = context.processes.table.currentProcess
        return leaders.flatMap { context.processes.table.members(ofSession: $0) }.filter { $0 != me }
    }

    private func waitUntilGone(_ leaders: [Int32], seconds: Double) -> Bool {
        let deadline = context.clock.monotonicNanoseconds() + UInt64(seconds * 1e9)
        while true {
            if remaining(leaders).isEmpty { return true }
            if context.clock.monotonicNanoseconds() >= deadline { return false }
            context.clock.sleep(milliseconds: 10)
        }
    }
}
