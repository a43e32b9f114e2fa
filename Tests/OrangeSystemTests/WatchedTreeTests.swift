import OrangeTestSupport
import Testing

@testable import OrangeSystem

/// The compact watch map (`WatchedTree`) against the map it replaced (`ReferenceWatchedTree`):
/// random sequences of the calls the watcher makes, in the order it makes them, must give the
/// same answers and leave the same state.
@Suite struct WatchedTreeTests {
    /// Paths of the watched shapes, plus deeper ones (a project renamed into another project keeps
    /// its task folders' watches one level down) and one outside `tasks/`.
    static let universe: [[String]] = {
        var paths: [[String]] = [[], ["tasks"], ["other"], ["other", "p0"]]
        for project in ["p0", "p1", "p2"] {
            paths.append(["tasks", project])
            for task in ["t0", "t1", "p1"] {
                paths.append(["tasks", project, task])
                paths.append(["tasks", project, task, "t0"])
            }
        }
        return paths
    }()

    @Test(arguments: 0..<16)
    func randomCallSequencesMatchTheReferenceMap(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var tree = WatchedTree()
        var reference = ReferenceWatchedTree()
        var nextWD: Int32 = 1
        for step in 0..<300 {
            let path = Self.universe.randomElement(using: &rng)!
            let other = Self.universe.randomElement(using: &rng)!
            let knownWDs = Array(1..<nextWD)
            let existingWD = knownWDs.randomElement(using: &rng) ?? 1
            let context = "seed \(seed) step \(step)"
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1, 2:
                // addDirectory: a new descriptor, or one the kernel already gave (a folder renamed
                // without a paired event); a different descriptor under the name is cleared first.
                let wd = Int.random(in: 0..<4, using: &rng) == 0 ? existingWD : nextWD
                if wd == nextWD { nextWD += 1 }
                if let previous = reference.wd(of: path), previous != wd {
                    #expect(tree.removeSubtree(path) == reference.removeSubtree(path), "\(context)")
                }
                #expect(tree.record(wd: wd, path: path) == reference.record(wd: wd, path: path), "\(context)")
            case 3:
                // handleRename: the target cleared if tracked, the rename, then the deep watches.
                if reference.isTracked(other) {
                    #expect(tree.removeSubtree(other) == reference.removeSubtree(other), "\(context)")
                }
                #expect(tree.rename(from: path, to: other) == reference.rename(from: path, to: other), "\(context)")
                if Bool.random(using: &rng) {
                    #expect(tree.removeDeeper(than: 3) == reference.removeDeeper(than: 3), "\(context)")
                }
            case 4:
                #expect(tree.removeSubtree(path) == reference.removeSubtree(path), "\(context)")
            case 5:
                tree.forget(wd: existingWD)
                reference.forget(wd: existingWD)
            case 6:
                tree.markUnwatched(path)
                reference.markUnwatched(path)
            case 7:
                tree.forgetUnwatched(under: path)
                reference.forgetUnwatched(under: path)
            case 8:
                #expect(tree.consumeRetired(existingWD) == reference.consumeRetired(existingWD), "\(context)")
            default:
                let depth = Int.random(in: 1...4, using: &rng)
                #expect(tree.removeDeeper(than: depth) == reference.removeDeeper(than: depth), "\(context)")
            }
            expectSameState(tree, reference, wds: 0...nextWD, context)
        }
    }

    /// A tree of 3 projects of 2,000 task folders each: the tables grow past several sizes, then
    /// a project is renamed, one removed, and task folders forgotten one by one.
    @Test func aLargeTreeMatchesTheReferenceMapThroughGrowthRenamesAndRemovals() {
        var tree = WatchedTree()
        var reference = ReferenceWatchedTree()
        var wd: Int32 = 0
        func record(_ path: [String]) {
            wd += 1
            tree.record(wd: wd, path: path)
            reference.record(wd: wd, path: path)
        }
        record([])
        record(["tasks"])
        for project in ["a", "b", "c"] {
            record(["tasks", project])
            if project != "a" { tree.reserveCapacity(adding: 2_000) }
            for task in 0..<2_000 { record(["tasks", project, "task-\(task)"]) }
        }
        expectSameState(tree, reference, wds: 0...wd + 1, "built")
        #expect(tree.rename(from: ["tasks", "a"], to: ["tasks", "z"]) == reference.rename(from: ["tasks", "a"], to: ["tasks", "z"]))
        expectSameState(tree, reference, wds: 0...wd + 1, "renamed")
        #expect(tree.removeSubtree(["tasks", "b"]) == reference.removeSubtree(["tasks", "b"]))
        expectSameState(tree, reference, wds: 0...wd + 1, "removed")
        for forgotten in stride(from: Int32(3), through: wd, by: 3) {
            tree.forget(wd: forgotten)
            reference.forget(wd: forgotten)
        }
        expectSameState(tree, reference, wds: 0...wd + 1, "forgotten")
    }

    /// A tree of 2,000 small projects, room reserved before each project's listing as the
    /// start-up does: the array grows geometrically, not once per project (an exact
    /// `reserveCapacity` each time copied the whole array per project: quadratic).
    @Test func roomReservedProjectByProjectGrowsTheArrayGeometrically() {
        var tree = WatchedTree()
        var wd: Int32 = 0
        var capacities: Set<Int> = []
        for project in 0..<2_000 {
            tree.reserveCapacity(adding: 6)
            capacities.insert(tree.capacity)
            for task in 0..<5 {
                wd += 1
                tree.record(wd: wd, path: ["tasks", "p\(project)", "t\(task)"])
            }
        }
        #expect(tree.watchCount == 10_000)
        #expect(capacities.count < 20, "the array was reallocated \(capacities.count) times")
    }

    private func expectSameState(
        _ tree: WatchedTree, _ reference: ReferenceWatchedTree, wds: ClosedRange<Int32>, _ context: String
    ) {
        #expect(tree.watchCount == reference.watchCount, "\(context)")
        #expect(tree.unwatched == reference.unwatched, "\(context)")
        #expect(tree.retired == reference.retired, "\(context)")
        #expect(tree.watchedPaths.sorted(by: Self.order) == reference.wdByPath.keys.sorted(by: Self.order), "\(context)")
        for wd in wds where tree.path(of: wd) != reference.path(of: wd) {
            Issue.record(
                "\(context): wd \(wd) at \(String(describing: tree.path(of: wd))), expected \(String(describing: reference.path(of: wd)))")
        }
        let paths = Set(Self.universe + Array(reference.wdByPath.keys) + Array(reference.pathByWD.values))
        for path in paths {
            #expect(tree.wd(of: path) == reference.wd(of: path), "\(context): \(path)")
            #expect(tree.isTracked(path) == reference.isTracked(path), "\(context): \(path)")
            if let wd = reference.wd(of: path) { #expect(tree.holds(wd: wd, at: path), "\(context): \(path)") }
        }
        for prefix in [[], ["tasks"], ["tasks", "p0"], ["tasks", "p1", "t0"], ["other"]] {
            #expect(tree.subtree(prefix) == reference.subtree(prefix), "\(context): subtree \(prefix)")
        }
    }

    private static func order(_ a: [String], _ b: [String]) -> Bool {
        a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
    }
}
