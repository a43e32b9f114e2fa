/// Which tasks' `task list --json` elements may have changed between two graphs the indexes
/// followed: each task whose record changed, and those whose derived members read it (its
/// dependents' readiness and blockers, its parents' progress and children, its descendants'
/// inherited modes). The engine's list keeps its unchanged chunks without reading their tasks
/// (docs/performance.md, section 6). A rebuild from scratch (a batch too large to follow, a
/// cycle made or broken) leaves what came before unknown.
public struct ChangeLog: Sendable {
    /// A point in the log: the graph the indexes held then.
    public struct Mark: Equatable, Sendable {
        var epoch: Epoch
        var sequence: UInt64

        public static func == (a: Mark, b: Mark) -> Bool { a.epoch === b.epoch && a.sequence == b.sequence }
    }

    /// Distinguishes logs started apart (indexes built from scratch in another place) by
    /// identity: a number drawn from a process-wide counter was state the core must not keep.
    final class Epoch: Sendable {}

    /// The tasks held at most over all entries: more and the oldest are dropped (unknown).
    public static let largest = 4096

    public private(set) var mark = Mark(epoch: Epoch(), sequence: 0)
    /// The changes from sequence `knownFrom` on, one entry per step.
    private var entries: [[TaskID]] = []
    private var knownFrom: UInt64 = 0
    private var count = 0

    public init() {}

    /// One step: the tasks whose elements may differ after it; nil when not known.
    mutating func record(_ ids: [TaskID]?) {
        guard let ids else { return forgetAll() }
        mark.sequence += 1
        entries.append(ids)
        count += ids.count
        while count > Self.largest || entries.count > 1024 {
            count -= entries.removeFirst().count
            knownFrom += 1
        }
    }

    /// A step whose changes are not known: everything before it is.
    mutating func forgetAll() {
        mark.sequence += 1
        knownFrom = mark.sequence
        entries = []
        count = 0
    }

    /// Every task whose element may differ between the graph at `old` and now; nil when that is
    /// not known (another log, or steps dropped or not followed since).
    public func changes(since old: Mark) -> Set<TaskID>? {
        guard old.epoch === mark.epoch, old.sequence >= knownFrom, old.sequence <= mark.sequence else { return nil }
        var changed: Set<TaskID> = []
        for entry in entries[Int(old.sequence - knownFrom)...] { changed.formUnion(entry) }
        return changed
    }
}

extension GraphIndexes {
    /// The tasks whose list elements `changes` may have changed (`ChangeLog`), `touched` being
    /// the changed tasks and their dependents; nil past `ChangeLog.largest`.
    static func listedMembersChanged(by changes: [Change], touched: Set<TaskID>, in graph: TaskGraph) -> [TaskID]? {
        var changed = touched
        for change in changes {
            guard let id = change.new?.id ?? change.old?.id else { continue }
            // Its parents' progress and children (`children(of:)` reads both link sides).
            changed.formUnion(graph.parents(of: id))
            if let parent = change.old?.parent { changed.insert(parent) }
            // Its descendants' inherited modes, when what they inherit through it may differ.
            let old = change.old
            let new = change.new
            guard
                old == nil || new == nil || old!.execution != new!.execution || old!.branches != new!.branches || old!.parent != new!.parent
            else { continue }
            var stack = graph.children(of: id)
            var walked: Set<TaskID> = [id]
            while let child = stack.popLast() {
                guard walked.insert(child).inserted else { continue }
                changed.insert(child)
                if changed.count > ChangeLog.largest { return nil }
                stack += graph.children(of: child)
            }
        }
        return changed.count > ChangeLog.largest ? nil : Array(changed)
    }
}
