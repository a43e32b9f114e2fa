/// The project registry (`projects.json`). A file that cannot be read is an error, never
/// treated as empty (the original lost every project that way).
public protocol ProjectStore: Sendable {
    func list() throws -> [Project]
    /// Read-modify-write under the registry's lock; returns the new list.
    @discardableResult
    func update(_ change: (inout [Project]) throws -> Void) throws -> [Project]
}
