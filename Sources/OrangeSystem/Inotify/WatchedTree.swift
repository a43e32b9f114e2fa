import OrangeCore

/// The watcher's map between watch descriptors and folders of the task tree.
///
/// Paths are component arrays relative to the data root: `[]` is `$ORANGE_HOME`, `["tasks"]`,
/// `["tasks", project]`, `["tasks", project, task]`. The map is a plain value owned by the loop
/// thread. A watch names an inode, not a path (watcher-reliability key finding 8), so a folder
/// renamed inside the tree keeps its descriptor and only the paths here are rewritten.
///
/// Kept compact for a tree of 100,000 task folders: one `(wd, path)` entry per watch in one
/// array, the path without an array of its own (`WatchedFolderPath`), and two position indexes
/// over that array (by descriptor, by path) that hold no copy of the keys.
struct WatchedTree {
    private struct Entry {
        var path: WatchedFolderPath
        var wd: Int32
    }

    private var entries: [Entry] = []
    private var byWD = PositionIndex()
    /// One position per path: the newest descriptor recorded under it.
    private var byPath = PositionIndex()
    /// Folders that exist but could not be watched (limit reached): the caller polls them.
    private(set) var unwatched: Set<[String]> = []
    /// Descriptors removed by us whose `IN_IGNORED` has not arrived yet; their queued events are
    /// stale and dropped silently instead of triggering an "unknown watch" rescan.
    private(set) var retired: Set<Int32> = []

    var watchCount: Int { entries.count }
    /// Entries the array has room for (tests: the growth stays geometric).
    var capacity: Int { entries.capacity }

    func path(of wd: Int32) -> [String]? { position(of: wd).map { entries[Int($0)].path.components } }
    func wd(of path: [String]) -> Int32? { wd(of: WatchedFolderPath(path)) }
    func wd(of folder: WatchedFolderPath) -> Int32? { position(of: folder).map { entries[Int($0)].wd } }
    func isTracked(_ path: [String]) -> Bool { wd(of: path) != nil || unwatched.contains(path) }
    func isRetired(_ wd: Int32) -> Bool { retired.contains(wd) }

    /// True when `wd` is recorded under `path` (as `path(of: wd) == path`, without building it).
    func holds(wd: Int32, at path: [String]) -> Bool { holds(wd: wd, at: WatchedFolderPath(path)) }
    func holds(wd: Int32, at folder: WatchedFolderPath) -> Bool {
        position(of: wd).map { entries[Int($0)].path == folder } ?? false
    }

    /// Every watched path, in no order.
    var watchedPaths: [[String]] {
        (0..<entries.count).compactMap { isIndexedByPath(Int32($0)) ? entries[$0].path.components : nil }
    }

    /// Records that `wd` watches `path`. If the kernel returned a descriptor already known under
    /// another path, the folder was renamed without a paired event: its subtree moves with it.
    /// The caller first clears a different descriptor recorded under `path` (`removeSubtree`).
    /// Returns stale descriptors to remove from the kernel (see `rename`).
    @discardableResult
    mutating func record(wd: Int32, path: [String]) -> [Int32] {
        record(wd: wd, folder: WatchedFolderPath(path))
    }

    /// `record` of a folder whose path is already compact (a task folder of a listing).
    @discardableResult
    mutating func record(wd: Int32, folder: WatchedFolderPath) -> [Int32] {
        if !unwatched.isEmpty { unwatched.remove(folder.components) }
        if let position = position(of: wd) {
            let old = entries[Int(position)].path
            return old == folder ? [] : rename(from: old.components, to: folder.components)
        }
        append(wd: wd, path: folder)
        return []
    }

    /// Makes room for `count` more watches at once (a project's listing while the tree is bound),
    /// instead of growing the array and both indexes step by step while 100,000 task folders are
    /// added. The array grows at least twofold, so a tree of many small projects is not copied
    /// once per project (`Array.reserveCapacity` allocates exactly what is asked).
    mutating func reserveCapacity(adding count: Int) {
        let capacity = entries.count + count
        if capacity > entries.capacity { entries.reserveCapacity(max(capacity, 2 * entries.capacity)) }
        byWD.reserveCapacity(capacity)
        byPath.reserveCapacity(capacity)
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
        guard let position = position(of: wd) else { return }
        remove(at: position)
    }

    /// Removes `prefix` and everything below it from the map and returns the descriptors to pass
    /// to `inotify_rm_watch`; they are retired until their `IN_IGNORED` arrives.
    mutating func removeSubtree(_ prefix: [String]) -> [Int32] {
        let wds = descriptors { $0.starts(with: prefix) }
        retire(wds)
        unwatched = unwatched.filter { !$0.starts(with: prefix) }
        return wds.sorted()
    }

    /// Removes the watches deeper than `depth` components (a rename can push task folders'
    /// subfolders below the watched levels) and returns their descriptors, retired.
    mutating func removeDeeper(than depth: Int) -> [Int32] {
        let wds = descriptors { $0.count > depth }
        retire(wds)
        unwatched = unwatched.filter { $0.count <= depth }
        return wds.sorted()
    }

    /// Consumes the `IN_IGNORED` of a retired descriptor; false if it was not retired.
    mutating func consumeRetired(_ wd: Int32) -> Bool {
        retired.remove(wd) != nil
    }

    /// Every tracked path (watched or not) at or below `prefix`, parents before children.
    func subtree(_ prefix: [String]) -> [[String]] {
        var all: [[String]] = []
        for position in entries.indices where entries[position].path.starts(with: prefix) && isIndexedByPath(Int32(position)) {
            all.append(entries[position].path.components)
        }
        all += unwatched.filter { $0.starts(with: prefix) }
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
        let displaced = descriptors { $0.starts(with: to) && !$0.starts(with: from) }
        retire(displaced)
        let moved = entries.filter { $0.path.starts(with: from) }
        for entry in moved { forget(wd: entry.wd) }
        for entry in moved { append(wd: entry.wd, path: entry.path.replacingPrefix(from.count, with: to)) }
        let movedUnwatched = unwatched.filter { $0.starts(with: from) }
        unwatched.subtract(movedUnwatched)
        for path in movedUnwatched { unwatched.insert(to + path.dropFirst(from.count)) }
        return displaced.sorted()
    }

    // MARK: - The entries and their two tables

    private func descriptors(where include: (WatchedFolderPath) -> Bool) -> [Int32] {
        entries.compactMap { include($0.path) ? $0.wd : nil }
    }

    private mutating func retire(_ wds: [Int32]) {
        for wd in wds {
            forget(wd: wd)
            retired.insert(wd)
        }
    }

    private func position(of wd: Int32) -> Int32? {
        byWD.position(hash: Self.hash(wd)) { entries[$0].wd == wd }.map(Int32.init)
    }

    private func position(of path: WatchedFolderPath) -> Int32? {
        byPath.position(hash: path.hashValue) { entries[$0].path == path }.map(Int32.init)
    }

    /// Whether the path index points at this entry (a path recorded twice keeps the newest).
    private func isIndexedByPath(_ position: Int32) -> Bool {
        isIndexedByPath(Int(position), hash: entries[Int(position)].path.hashValue)
    }

    private func isIndexedByPath(_ position: Int, hash: Int) -> Bool {
        byPath.position(hash: hash) { $0 == position } != nil
    }

    private mutating func append(wd: Int32, path: WatchedFolderPath) {
        let position = entries.count
        entries.append(Entry(path: path, wd: wd))
        byWD.insert(position, hash: Self.hash(wd))
        let hash = path.hashValue
        if let previous = byPath.position(hash: hash, where: { entries[$0].path == path }) {
            byPath.move(hash: hash, from: previous, to: position)
        } else {
            byPath.insert(position, hash: hash)
        }
    }

    /// Removes the entry at `position`; the last entry moves into its place.
    private mutating func remove(at position: Int32) {
        let (place, last) = (Int(position), entries.count - 1)
        let entry = entries[place]
        let pathHash = entry.path.hashValue
        byWD.remove(hash: Self.hash(entry.wd)) { $0 == place }
        if isIndexedByPath(place, hash: pathHash) { byPath.remove(hash: pathHash) { $0 == place } }
        if place != last {
            let moving = entries[last]
            let movingHash = moving.path.hashValue
            byWD.move(hash: Self.hash(moving.wd), from: last, to: place)
            if isIndexedByPath(last, hash: movingHash) { byPath.move(hash: movingHash, from: last, to: place) }
            entries[place] = moving
        }
        entries.removeLast()
    }

    /// Descriptors are small integers handed out in increasing order: an odd multiplier spreads
    /// consecutive ones over consecutive slots, and the high half is folded in for the rest.
    private static func hash(_ wd: Int32) -> Int {
        let mixed = UInt64(UInt32(bitPattern: wd)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 32))
    }
}
