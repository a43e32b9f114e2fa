import OrangeCore
import OrangeSystem

/// git in one shared tasks repository: argv only, never a prompt, untranslated messages (so a
/// rejected push is told from an unreachable remote by its words).
struct SyncGit: Sendable {
    let runner: any ProcessRunning
    let directory: String
    let environment: [String: String]

    init(runner: any ProcessRunning, directory: String) {
        self.runner = runner
        self.directory = directory
        environment = GitEnvironment.variables()
    }

    func run(_ arguments: [String], input: String? = nil, extraEnvironment: [String: String] = [:], timeout: Double = 60) throws
        -> ProcessResult
    {
        try runner.run(
            ["git", "-C", directory] + arguments, environment: environment.merging(extraEnvironment) { $1 }, input: input,
            timeoutSeconds: timeout)
    }

    /// Runs and returns stdout without its trailing newline; throws unless git exits 0.
    @discardableResult
    func check(_ arguments: [String], input: String? = nil, extraEnvironment: [String: String] = [:], timeout: Double = 60) throws
        -> String
    {
        let result = try run(arguments, input: input, extraEnvironment: extraEnvironment, timeout: timeout)
        guard result.succeeded else { throw ProcessError.failed(result) }
        return result.stdout.trimmingTrailingNewlines()
    }

    func succeeds(_ arguments: [String]) -> Bool { (try? run(arguments, timeout: 30))?.succeeded ?? false }

    func revision(_ ref: String) -> String? {
        guard let sha = try? check(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], timeout: 30), !sha.isEmpty else { return nil }
        return sha
    }

    /// What became of a push.
    enum PushResult: Equatable {
        case accepted
        /// Not a fast-forward of the remote branch: someone pushed first.
        case rejected
        case unreachable(String)
    }

    /// Pushes `source` to the remote branch; only a fast-forward is accepted (no force, ever).
    func push(_ source: String, to branch: String) throws -> PushResult {
        let result = try run(["push", "--quiet", "--porcelain", "origin", source + ":refs/heads/" + branch], timeout: 120)
        if result.succeeded { return .accepted }
        let text = result.stdout + result.stderr
        // `[rejected]` (not a fast-forward) or `[remote rejected]` (another push held the ref
        // at that moment): the remote answered no, so fetch and decide again.
        if text.contains("rejected") || text.contains("non-fast-forward") || text.contains("fetch first") { return .rejected }
        return .unreachable(Self.firstLine(result))
    }

    /// The first meaningful line git printed, for a status or an error message.
    static func firstLine(_ result: ProcessResult) -> String {
        let text = result.stderr.trimmingSpaces().isEmpty ? result.stdout : result.stderr
        let lines = text.split(separator: "\n").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty && !$0.hasPrefix("hint:") }
        return lines.first { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") } ?? lines.first
            ?? "git exited with status \(result.exitCode)"
    }
}
