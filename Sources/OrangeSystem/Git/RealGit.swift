import Glibc
import OrangeCore

/// `GitClient` over the git command line: `git -C <dir> …`, argv only, no prompts, exit codes
/// always checked (the original ignored push failures).
public struct RealGit: GitClient {
    let runner: any ProcessRunning
    let environment: [String: String]

    public init(runner: any ProcessRunning) {
        self.runner = runner
        environment = GitEnvironment.variables()
    }

    private func git(_ directory: String, _ arguments: [String], timeout: Double = 120) throws -> ProcessResult {
        try runner.run(["git", "-C", directory] + arguments, environment: environment, input: nil, timeoutSeconds: timeout)
    }

    @discardableResult
    private func check(_ directory: String, _ arguments: [String], timeout: Double = 120) throws -> String {
        let result = try git(directory, arguments, timeout: timeout)
        guard result.succeeded else { throw ProcessError.failed(result) }
        return result.stdout.trimmingTrailingNewlines()
    }

    private func succeeds(_ directory: String, _ arguments: [String]) -> Bool {
        (try? git(directory, arguments, timeout: 30))?.succeeded ?? false
    }

    public func topLevel(of directory: String) -> String? {
        guard let path = try? check(directory, ["rev-parse", "--show-toplevel"], timeout: 30), !path.isEmpty else { return nil }
        return path
    }

    public func defaultBranch(ofRepository path: String) -> String {
        if let ref = try? check(path, ["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], timeout: 30), ref.hasPrefix("origin/") {
            let name = String(ref.dropFirst("origin/".count))
            if BranchName.problem(with: name) == nil { return name }
        }
        for candidate in ["main", "master"] where branchExists(path, candidate) { return candidate }
        return "main"
    }

    public func hasRemote(_ repository: String, named remote: String) -> Bool {
        succeeds(repository, ["remote", "get-url", "--", remote])
    }

    /// Worktrees of one repository share its remote-tracking refs: a fetch in one (a merge) and
    /// one in another (a spawn) at once make the slower fail with "cannot lock ref". That fetch
    /// is tried again, a few times, after a short pause.
    public func fetch(_ directory: String) throws {
        var attempt = 0
        while true {
            attempt += 1
            let result = try git(directory, ["fetch", "--quiet", "origin"], timeout: 300)
            if result.succeeded { return }
            guard attempt < 6, result.stderr.contains("cannot lock ref") else { throw ProcessError.failed(result) }
            usleep(useconds_t(attempt * 100_000))
        }
    }

    public func branchExists(_ directory: String, _ branch: String) -> Bool {
        refExists(directory, "refs/heads/" + branch)
    }

    public func remoteBranchExists(_ directory: String, _ branch: String) -> Bool {
        refExists(directory, "refs/remotes/origin/" + branch)
    }

    public func refExists(_ directory: String, _ ref: String) -> Bool {
        succeeds(directory, ["rev-parse", "--verify", "--quiet", ref + "^{commit}"])
    }

    public func currentBranch(_ directory: String) -> String? {
        guard let name = try? check(directory, ["symbolic-ref", "--quiet", "--short", "HEAD"], timeout: 30), !name.isEmpty else {
            return nil
        }
        return name
    }

    public func isDirty(_ directory: String) throws -> Bool {
        !(try check(directory, ["status", "--porcelain", "--untracked-files=normal"])).isEmpty
    }

    public func addWorktree(repository: String, path: String, detachedAt ref: String) throws {
        try check(repository, ["worktree", "add", "--quiet", "--detach", "--", path, ref])
    }

    public func pruneWorktrees(repository: String) throws {
        try check(repository, ["worktree", "prune"])
    }

    public func checkout(_ directory: String, branch: String) throws {
        try check(directory, ["checkout", "--quiet", branch, "--"])
    }

    public func checkoutNewBranch(_ directory: String, branch: String, from startPoint: String) throws {
        try check(directory, ["checkout", "--quiet", "-b", branch, startPoint, "--"])
    }

    public func detach(_ directory: String, at ref: String?) throws {
        try check(directory, ["checkout", "--quiet", "--detach"] + (ref.map { [$0] } ?? []) + ["--"])
    }

    public func resetHard(_ directory: String, to ref: String) throws {
        try check(directory, ["reset", "--quiet", "--hard", ref, "--"])
    }

    public func clean(_ directory: String) throws {
        try check(directory, ["clean", "-fdq"])
    }

    public func merge(_ directory: String, branch: String, fastForwardOnly: Bool, message: String) throws {
        try check(directory, ["merge", "--quiet", fastForwardOnly ? "--ff-only" : "--no-ff", "-m", message, branch], timeout: 300)
    }

    public func push(_ directory: String, remote: String, refspec: String) throws {
        try check(directory, ["push", "--quiet", remote, refspec], timeout: 300)
    }

    public func revParse(_ directory: String, _ ref: String) throws -> String {
        try check(directory, ["rev-parse", "--verify", ref + "^{commit}"], timeout: 30)
    }

    public func addExcludes(_ directory: String, patterns: [String]) throws {
        var common = try check(directory, ["rev-parse", "--git-common-dir"], timeout: 30)
        if !common.hasPrefix("/") { common = directory + "/" + common }
        let file = common + "/info/exclude"
        try FileSystem.makeDirectories(common + "/info", mode: 0o755)
        let existing = FileSystem.fileExists(file) ? try FileSystem.readText(file) : ""
        let lines = Set(existing.split(separator: "\n").map(String.init))
        let missing = patterns.filter { !lines.contains($0) }
        guard !missing.isEmpty else { return }
        let prefix = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
        try AtomicFile.write(existing + prefix + missing.map { $0 + "\n" }.joined(), to: file, mode: 0o644)
    }

    public func commitCount(_ directory: String, since base: String) -> Int? {
        (try? check(directory, ["rev-list", "--count", base + "..HEAD"], timeout: 30)).flatMap { Int($0) }
    }

    public func lineChanges(_ directory: String, since base: String) -> (added: Int, removed: Int)? {
        guard let mergeBase = try? check(directory, ["merge-base", base, "HEAD"], timeout: 30),
            let numstat = try? check(directory, ["diff", "--numstat", mergeBase], timeout: 30)
        else { return nil }
        var added = 0
        var removed = 0
        // Binary files show `-` for both counts and are left out.
        for line in numstat.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2)
            guard fields.count == 3, let a = Int(fields[0]), let r = Int(fields[1]) else { continue }
            added += a
            removed += r
        }
        return (added, removed)
    }

    public func diffStat(_ directory: String, from: String, to: String) -> String? {
        try? check(directory, ["diff", "--stat", from, to, "--"], timeout: 30)
    }

    public func conflictedFiles(_ directory: String) -> [String] {
        guard let text = try? check(directory, ["diff", "--name-only", "--diff-filter=U"], timeout: 30) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    public func abortMerge(_ directory: String) throws {
        try check(directory, ["merge", "--abort"])
    }

    public func isAncestor(_ directory: String, _ ancestor: String, of descendant: String) -> Bool {
        succeeds(directory, ["merge-base", "--is-ancestor", ancestor, descendant])
    }
}
