/// The workspace pool file, read-modify-written under its lock.
public protocol PoolStore: Sendable {
    func read() throws -> PoolState
    /// Runs `body` with the pool under the lock (git work that must not race, such as creating a
    /// worktree, happens inside) and saves the result when it changed.
    func update<T>(_ body: (inout PoolState) throws -> T) throws -> T
}
