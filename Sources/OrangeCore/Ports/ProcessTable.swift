/// The processes of the machine, as far as orange needs them: which ones an agent's session
/// started, and how to end them.
public protocol ProcessTable: Sendable {
    /// This process.
    var currentProcess: Int32 { get }
    /// Every live process whose session id is `session`. tmux starts each pane's program as the
    /// leader of a session of its own, so this is everything the agent started, its children's
    /// children included, unless one of them left the session on purpose (`setsid`).
    func members(ofSession session: Int32) -> [Int32]
    /// Sends `KILL` to the process (a no-op for one already gone).
    func kill(_ process: Int32)
    /// Moves this process out of its process session into one of its own (`setsid`); false when
    /// it cannot (it already leads a process group).
    @discardableResult
    func leaveSession() -> Bool
}
