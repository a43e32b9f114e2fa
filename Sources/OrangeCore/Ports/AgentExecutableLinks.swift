/// The folder agents get first on their PATH: `bin/<key>/orange`, a link to the orange executable
/// that spawns them (see `AgentLaunch`), so they run that very orange and nothing else of its folder.
public protocol AgentExecutableLinks: Sendable {
    /// Makes sure the link to `executable` is there and points at it; returns its folder.
    func prepare(for executable: String) throws -> String
}
