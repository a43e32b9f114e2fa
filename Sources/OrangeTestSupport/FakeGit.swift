import OrangeCore
import OrangeSystem
import Synchronization

/// A git that records every call and succeeds, with a clean tree (unless marked dirty), `main` as the default branch
/// and no commits of its own. Tests that need a real repository use real git.
public final class FakeGit: GitClient {
    private let recorded = Mutex<[String]>([])
    private let dirty = Mutex<Set<String>>([])
    private let makeWorktree: @Sendable (String) throws -> Void

    /// `makeWorktree`: what `worktree add` does besides being recorded; by default it makes the
    /// folder on disk, as git would, so what orange puts in it has a place.
    public init(makeWorktree: @escaping @Sendable (String) throws -> Void = { try FileSystem.makeDirectories($0) }) {
        self.makeWorktree = makeWorktree
    }

    /// Makes `directory` report uncommitted changes.
    public func markDirty(_ directory: String) { _ = dirty.withLock { $0.insert(directory) } }

    /// Each call, as `verb arguments`.
    public var calls: [String] { recorded.withLock { $0 } }

    private func record(_ call: String) { recorded.withLock { $0.append(call) } }

    public func topLevel(of directory: String) -> String? { directory }
    public func defaultBranch(ofRepository path: String) -> String { "main" }
    public func hasRemote(_ repository: String, named remote: String) -> Bool { true }
    public func fetch(_ directory: String) throws { record("fetch \(directory)") }
    public func branchExists(_ directory: String, _ branch: String) -> Bool { false }
    public func remoteBranchExists(_ directory: String, _ branch: String) -> Bool { false }
    public func refExists(_ directory: String, _ ref: String) -> Bool { true }
    public func currentBranch(_ directory: String) -> String? { nil }
    public func isDirty(_ directory: String) throws -> Bool { dirty.withLock { $0.contains(directory) } }
    public func addWorktree(repository: String, path: String, detachedAt ref: String) throws {
        record("worktree add \(path)")
        try makeWorktree(path)
    }
    public func pruneWorktrees(repository: String) throws { record("worktree prune") }
    public func checkout(_ directory: String, branch: String) throws { record("checkout \(branch)") }
    public func checkoutNewBranch(_ directory: String, branch: String, from startPoint: String) throws {
        record("checkout -b \(branch) \(startPoint)")
    }
    public func detach(_ directory: String, at ref: String?) throws { record("detach \(directory)") }
    public func resetHard(_ directory: String, to ref: String) throws { record("reset --hard \(ref)") }
    public func clean(_ directory: String) throws { record("clean \(directory)") }
    public func merge(_ directory: String, branch: String, fastForwardOnly: Bool, message: String) throws { record("merge \(branch)") }
    public func push(_ directory: String, remote: String, refspec: String) throws { record("push \(remote) \(refspec)") }
    public func revParse(_ directory: String, _ ref: String) throws -> String { String(repeating: "0", count: 40) }
    public func addExcludes(_ directory: String, patterns: [String]) throws {}
    public func commitCount(_ directory: String, since base: String) -> Int? { 0 }
    public func lineChanges(_ directory: String, since base: String) -> (added: Int, removed: Int)? { (0, 0) }
    public func diffStat(_ directory: String, from: String, to: String) -> String? { "" }
    public func conflictedFiles(_ directory: String) -> [String] { [] }
    public func abortMerge(_ directory: String) throws { record("merge --abort") }
    public func isAncestor(_ directory: String, _ ancestor: String, of descendant: String) -> Bool { false }
}
