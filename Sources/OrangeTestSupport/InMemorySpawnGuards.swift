import OrangeCore
import Synchronization

/// Spawn guards in memory: a lock held by one caller at a time (busy at once for any other, the
/// timeout is not waited), and markers as strings.
public final class InMemorySpawnGuards: SpawnGuards {
    private struct State {
        var held: Set<String> = []
        var markers: [String: String] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    private func key(_ id: TaskID, _ project: ProjectName) -> String { project.rawValue + "/" + id.rawValue }

    public func withSpawnLock<T>(_ id: TaskID, in project: ProjectName, timeoutSeconds: Double, _ body: () throws -> T) throws -> T {
        let key = key(id, project)
        guard state.withLock({ $0.held.insert(key).inserted }) else { throw SpawnLockBusy(task: id) }
        defer { _ = state.withLock { $0.held.remove(key) } }
        return try body()
    }

    public func placeMarker(_ id: TaskID, in project: ProjectName, note: String) throws {
        let key = key(id, project)
        state.withLock { $0.markers[key] = note }
    }

    public func marker(_ id: TaskID, in project: ProjectName) -> String? {
        let key = key(id, project)
        return state.withLock { $0.markers[key] }
    }

    public func removeMarker(_ id: TaskID, in project: ProjectName) throws {
        let key = key(id, project)
        _ = state.withLock { $0.markers.removeValue(forKey: key) }
    }

    public func markedTasks() -> [(id: TaskID, project: ProjectName)]? {
        state.withLock { $0.markers.keys.sorted() }.compactMap { key in
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let project = ProjectName(validating: parts[0]), let id = TaskID(validating: parts[1]) else {
                return nil
            }
            return (id: id, project: project)
        }
    }

    /// Holds the task's lock until `release` is called, as another process would.
    public func hold(_ id: TaskID, in project: ProjectName) {
        let key = key(id, project)
        _ = state.withLock { $0.held.insert(key) }
    }

    public func release(_ id: TaskID, in project: ProjectName) {
        let key = key(id, project)
        _ = state.withLock { $0.held.remove(key) }
    }
}
