import OrangeCore

/// `gh`, GitHub's own command-line client, run with an argv (never a shell) through the
/// context's `ProcessRunning`. It is the client users already have and are logged in with; orange
/// keeps no token of its own.
struct GitHubCLI: Sendable {
    let runner: any ProcessRunning
    let environment: [String: String]
    let locate: @Sendable (String, String) -> String?

    init(context: AppContext) {
        runner = context.processes.runner
        environment = context.environment
        locate = context.processes.locateProgram
    }

    /// gh never prompts and never prints colours or update notices into what orange parses.
    private static let variables = [
        "GH_PROMPT_DISABLED": "1", "GH_NO_UPDATE_NOTIFIER": "1", "NO_COLOR": "1", "GIT_TERMINAL_PROMPT": "0",
        "GH_SPINNER_DISABLED": "1",
    ]

    /// Opens a pull request of `head` into `base` for the repository at `repository`; returns its
    /// URL. A PR that already exists for the branch is not an error: gh names it, and it is returned.
    func create(in repository: String, head: String, base: String, title: String, body: String) throws -> String {
        // gh finds the repository from its working directory (`env -C`: posix_spawn has no chdir
        // Swift can see); the body goes through stdin, whatever its size.
        let result = try run(
            ["pr", "create", "--head", head, "--base", base, "--title", title, "--body-file", "-"], in: repository, input: body)
        if result.succeeded, let url = Self.lastURL(in: result.stdout) { return url }
        if result.stderr.contains("already exists"), let url = Self.lastURL(in: result.stderr) { return url }
        if result.succeeded { throw OrangeError("gh pr create printed no pull request URL: \(Self.tail(result.stdout))") }
        throw failure(result)
    }

    /// What the forge says about the PR at `url`.
    func view(_ url: String) throws -> PullRequestStatus {
        let result = try run(["pr", "view", url, "--json", PullRequestStatus.ghFields], in: nil, input: nil, timeout: 30)
        guard result.succeeded else { throw failure(result) }
        switch PullRequestStatus.parse(ghJSON: result.stdout) {
        case .success(let status): return status
        case .failure(let problem): throw OrangeError("gh pr view \(url): \(problem.reason)")
        }
    }

    /// Merges the PR at `url` on the forge with the strategy's flag.
    func merge(_ url: String, strategy: PullRequestMergeStrategy) throws {
        let result = try run(["pr", "merge", url, strategy.ghFlag], in: nil, input: nil)
        guard result.succeeded else { throw failure(result) }
    }

    private func run(_ arguments: [String], in directory: String?, input: String?, timeout: Double = 120) throws -> ProcessResult {
        guard locate("gh", environment["PATH"] ?? "") != nil else {
            throw OrangeError(
                "gh (GitHub's command-line client) is not installed or not on PATH; install it (Debian: 'apt-get install gh'), run 'gh auth login', and try again"
            )
        }
        let argv = (directory.map { ["env", "-C", $0] } ?? []) + ["gh"] + arguments
        do {
            return try runner.run(argv, environment: Self.variables, input: input, timeoutSeconds: timeout)
        } catch {
            throw OrangeError("could not run gh: \(error)")
        }
    }

    private func failure(_ result: ProcessResult) -> OrangeError {
        let argv = Array(result.argv.drop { $0 != "gh" })
        let how = result.timedOut ? "timed out" : "failed (exit status \(result.exitCode))"
        let detail = Self.tail(result.stderr.isEmpty ? result.stdout : result.stderr)
        return OrangeError("\(ShellQuoting.commandLine(Array(argv.prefix(3)))) \(how)" + (detail.isEmpty ? "" : ": \(detail)"))
    }

    /// The last few lines of a stream, for an error message.
    static func tail(_ text: String, lines: Int = 5, characters: Int = 800) -> String {
        let kept = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).joined(separator: "\n")
        return kept.count > characters ? "…" + String(kept.suffix(characters)) : kept
    }

    /// The last `https://…` word printed (gh prints the new PR's URL last).
    static func lastURL(in text: String) -> String? {
        text.split(whereSeparator: { $0.isWhitespace }).last { $0.hasPrefix("https://") || $0.hasPrefix("http://") }.map(String.init)
    }
}
