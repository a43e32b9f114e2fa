/// The watch map as it was before it was made compact (a `[String]` per folder in two
/// dictionaries), kept as the reference model of `WatchedTree`'s property test.
struct ReferenceWatchedTree {
    private(set) var pathByWD: [Int32: [String]] = [:]
    private(set) var wdByPath: [[String]: Int32] = [:]
    /// Folders that exist but could not be watched (limit reached): the caller polls them.
    private(set) var unwatched: Set<[String]> = []
    /// Descriptors removed by us whose `IN_IGNORED` has not arrived yet; their queued events are
    /// stale and dropped silently instead of triggering an "unknown watch" rescan.
    private(set) var retired: Set<Int32> = []

    var watchCount: Int { pathByWD.count }

    func path(of wd: Int32) -> [String]? { pathByWD[wd] }
    func wd(of path: [String]) -> Int32? { wdByPath[path] }
    func isTracked(_ path: [String]) -> Bool { wdByPath[path] != nil || unwatched.contains(path) }
    func isRetired(_ wd: Int32) -> Bool { retired.contains(wd) }

    /// Records that `wd` watches `path`. If the kernel returned a descriptor already known under
    /// another path, the folder was renamed without a paired event: its subtree moves with it.
    /// The caller first clears a different descriptor recorded under `path` (`removeSubtree`).
    /// Returns stale descriptors to remove from the kernel (see `rename`).
    @discardableResult
    mutating func record(wd: Int32, path: [String]) -> [Int32] {
        unwatched.remove(path)
        if let old = pathByWD[wd] {
            return old == path ? [] : rename(from: old, to: path)
        }
        pathByWD[wd] = path
        wdByPath[path] = wd
        return []
    }

    /// Makes room for `count` more watches at once (a project's listing), instead of growing
    /// both maps step by step while 100,000 task folders are added.
    mutating func reserveCapacity(adding count: Int) {
        pathByWD.reserveCapacity(pathByWD.count + count)
        wdByPath.reserveCapacity(wdByPath.count + count)
    }

    mutating func markUnwatched(_ path: [String]) {
        unwatched.insert(path)
    }

    /// Drops `prefix` and its descendants from the unwatched list (the folder is gone).
    mutating func forgetUnwatched(under prefix: [String]) {
        guard !unwatched.isEmpty else { return }
        unwatched = unwatched.filter { !$0.starts(with: prefix) }
    }

    /// Forgets a descriptor the kernel dropped by itself (`IN_IGNORED`).
    mutating func forget(wd: Int32) {
        guard let path = pathByWD.removeValue(forKey: wd) else { return }
        if wdByPath[path] == wd { wdByPath.removeValue(forKey: path) }
    }

    /// Removes `prefix` and everything below it from the map and returns the descriptors to pass
    /// to `inotify_rm_watch`; they are retired until their `IN_IGNORED` arrives.
    mutating func removeSubtree(_ prefix: [String]) -> [Int32] {
        let wds = pathByWD.filter { $0.value.starts(with: prefix) }.map(\.key)
        for wd in wds {
            forget(wd: wd)
            retired.insert(wd)
        }
        unwatched = unwatched.filter { !$0.starts(with: prefix) }
        return wds.sorted()
    }

    /// Removes the watches deeper than `depth` components (a rename can push task folders'
    /// subfolders below the watched levels) and returns their descriptors, retired.
    mutating func removeDeeper(than depth: Int) -> [Int32] {
        let wds = pathByWD.filter { $0.value.count > depth }.map(\.key)
        for wd in wds {
            forget(wd: wd)
            retired.insert(wd)
        }
        unwatched = unwatched.filter { $0.count <= depth }
        return wds.sorted()
    }

    /// Consumes the `IN_IGNORED` of a retired descriptor; false if it was not retired.
    mutating func consumeRetired(_ wd: Int32) -> Bool {
        retired.remove(wd) != nil
    }

    /// Every tracked path (watched or not) at or below `prefix`, parents before children.
    func subtree(_ prefix: [String]) -> [[String]] {
        let all = wdByPath.keys.filter { $0.starts(with: prefix) } + unwatched.filter { $0.starts(with: prefix) }
        return all.sorted { a, b in
            a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
        }
    }

    /// Rewrites `from` and every descendant to live under `to` (a rename inside the tree).
    /// Returns the descriptors that were recorded under `to` before (now stale, retired) so the
    /// caller can remove them from the kernel.
    @discardableResult
    mutating func rename(from: [String], to: [String]) -> [Int32] {
        guard from != to else { return [] }
        // Anything already recorded under the target is stale: that name now means the moved folder.
        let displaced = pathByWD.filter { $0.value.starts(with: to) && !$0.value.starts(with: from) }.map(\.key)
        for wd in displaced {
            forget(wd: wd)
            retired.insert(wd)
        }
        let moved = pathByWD.filter { $0.value.starts(with: from) }
        for (wd, _) in moved { forget(wd: wd) }
        for (wd, path) in moved {
            let newPath = to + path.dropFirst(from.count)
            pathByWD[wd] = newPath
            wdByPath[newPath] = wd
        }
        let movedUnwatched = unwatched.filter { $0.starts(with: from) }
        unwatched.subtract(movedUnwatched)
        for path in movedUnwatched { unwatched.insert(to + path.dropFirst(from.count)) }
        return displaced.sorted()
    }
}
