/// `orange watch sync` and the engine meet in the data folder: the command drops a cookie in
/// `tasks/` (the watcher sees it after every change made before it), the engine answers it once
/// all those changes are applied. Both sides go through this.
public protocol EngineSync: Sendable {
    /// Whether an engine holds this data folder's claim (only a running engine answers).
    func engineIsRunning() throws -> Bool

    // The command's side.

    /// Drops the cookie of `token` into `tasks/` (a plain create, so the watcher sees it).
    func dropCookie(_ token: String) throws
    /// Takes the cookie back: nobody will answer it now.
    func withdrawCookie(_ token: String)
    /// Whether the answer to `token` is there; an answer found is removed.
    func takeAnswer(_ token: String) -> Bool

    // The engine's side.

    /// The tokens of the sync cookies now in `tasks/`, sorted.
    func waitingCookies() -> [String]
    /// Answers `token` when its cookie is still there (removes the cookie, writes the answer);
    /// false when there is no cookie, so a cookie seen twice is answered once.
    func answer(_ token: String) -> Bool
}
