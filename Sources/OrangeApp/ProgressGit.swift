import OrangeCore

/// A `GitClient` that says, in one line on the terminal, which long git operation runs (fetch,
/// merge, push, worktree creation), so a slow network or a big checkout is not a silent wait.
/// `OrangeCLI` puts it in front of the real client only when stderr is a terminal and the
/// command is not under `--json` (and not a full-screen or streaming command): scripts and pipes
/// get nothing extra.
struct ProgressGit: GitClient {
    let base: any GitClient
    let say: @Sendable (String) -> Void

    private func announce(_ what: String, in directory: String) {
        say("orange: \(what) (\(Self.folderName(directory)))…\n")
    }

    /// The folder's last component: a workspace (`coffee--1`) or the repository.
    static func folderName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    func fetch(_ directory: String) throws {
        announce("fetching origin", in: directory)
        try base.fetch(directory)
    }

    func addWorktree(repository: String, path: String, detachedAt ref: String) throws {
        say("orange: creating worktree \(Self.folderName(path)) at \(ref)…\n")
        try base.addWorktree(repository: repository, path: path, detachedAt: ref)
    }

    func merge(_ directory: String, branch: String, fastForwardOnly: Bool, message: String) throws {
        announce("merging \(branch)", in: directory)
        try base.merge(directory, branch: branch, fastForwardOnly: fastForwardOnly, message: message)
    }

    func push(_ directory: String, remote: String, refspec: String) throws {
        let target = refspec.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? refspec
        let branch = target.hasPrefix("refs/heads/") ? String(target.dropFirst("refs/heads/".count)) : target
        announce(refspec.hasPrefix(":") ? "deleting \(remote)/\(branch)" : "pushing to \(remote)/\(branch)", in: directory)
        try base.push(directory, remote: remote, refspec: refspec)
    }

    // Quick operations: passed through unannounced.
    func topLevel(of directory: String) -> String? { base.topLevel(of: directory) }
    func defaultBranch(ofRepository path: String) -> String { base.defaultBranch(ofRepository: path) }
    func hasRemote(_ repository: String, named remote: String) -> Bool { base.hasRemote(repository, named: remote) }
    func branchExists(_ directory: String, _ branch: String) -> Bool { base.branchExists(directory, branch) }
    func remoteBranchExists(_ directory: String, _ branch: String) -> Bool { base.remoteBranchExists(directory, branch) }
    func refExists(_ directory: String, _ ref: String) -> Bool { base.refExists(directory, ref) }
    func currentBranch(_ directory: String) -> String? { base.currentBranch(directory) }
    func isDirty(_ directory: String) throws -> Bool { try base.isDirty(directory) }
    func pruneWorktrees(repository: String) throws { try base.pruneWorktrees(repository: repository) }
    func checkout(_ directory: String, branch: String) throws { try base.checkout(directory, branch: branch) }
    func checkoutNewBranch(_ directory: String, branch: String, from startPoint: String) throws {
        try base.checkoutNewBranch(directory, branch: branch, from: startPoint)
    }
    func detach(_ directory: String, at ref: String?) throws { try base.detach(directory, at: ref) }
    func resetHard(_ directory: String, to ref: String) throws { try base.resetHard(directory, to: ref) }
    func clean(_ directory: String) throws { try base.clean(directory) }
    func revParse(_ directory: String, _ ref: String) throws -> String { try base.revParse(directory, ref) }
    func addExcludes(_ directory: String, patterns: [String]) throws { try base.addExcludes(directory, patterns: patterns) }
    func commitCount(_ directory: String, since base: String) -> Int? { self.base.commitCount(directory, since: base) }
    func lineChanges(_ directory: String, since base: String) -> (added: Int, removed: Int)? {
        self.base.lineChanges(directory, since: base)
    }
    func diffStat(_ directory: String, from: String, to: String) -> String? { base.diffStat(directory, from: from, to: to) }
    func conflictedFiles(_ directory: String) -> [String] { base.conflictedFiles(directory) }
    func abortMerge(_ directory: String) throws { try base.abortMerge(directory) }
    func isAncestor(_ directory: String, _ ancestor: String, of descendant: String) -> Bool {
        base.isAncestor(directory, ancestor, of: descendant)
    }
}
