/// A set of task ids that keeps a single id without a hash table of its own.
///
/// The graph's reverse edges (a blocker's dependents, a parent's children) are sets, and
/// nearly every one holds one or two ids: as `Set<TaskID>`, each was a table of its own, about
/// 70,000 of them at 100,000 tasks (10.6 MB with their dictionary slots, and an allocation for
/// each on the engine's start-up). One id is kept inline; a second makes it a `Set`.
public struct TaskIDSet: Sendable, Sequence, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case empty
        case one(TaskID)
        case many(Set<TaskID>)
    }

    private var storage = Storage.empty

    public init() {}

    public init(arrayLiteral ids: TaskID...) {
        for id in ids { insert(id) }
    }

    public var isEmpty: Bool {
        if case .empty = storage { return true }
        return false
    }

    public var count: Int {
        switch storage {
        case .empty: return 0
        case .one: return 1
        case .many(let ids): return ids.count
        }
    }

    public func contains(_ id: TaskID) -> Bool {
        switch storage {
        case .empty: return false
        case .one(let only): return only == id
        case .many(let ids): return ids.contains(id)
        }
    }

    public mutating func insert(_ id: TaskID) {
        switch storage {
        case .empty:
            storage = .one(id)
        case .one(let only):
            if only != id { storage = .many([only, id]) }
        case .many(var ids):
            // Out of the enum while it changes, so the set is not copied.
            storage = .empty
            ids.insert(id)
            storage = .many(ids)
        }
    }

    public mutating func remove(_ id: TaskID) {
        switch storage {
        case .empty:
            return
        case .one(let only):
            if only == id { storage = .empty }
        case .many(var ids):
            storage = .empty
            ids.remove(id)
            storage = ids.count == 1 ? .one(ids.first!) : ids.isEmpty ? .empty : .many(ids)
        }
    }

    public func makeIterator() -> Iterator {
        switch storage {
        case .empty: return Iterator(only: nil, many: nil)
        case .one(let only): return Iterator(only: only, many: nil)
        case .many(let ids): return Iterator(only: nil, many: ids.makeIterator())
        }
    }

    public struct Iterator: IteratorProtocol {
        fileprivate var only: TaskID?
        fileprivate var many: Set<TaskID>.Iterator?

        public mutating func next() -> TaskID? {
            if let id = only {
                only = nil
                return id
            }
            return many?.next()
        }
    }
}
