import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Runs the built `orange` binary against a private `ORANGE_HOME`, the way a user would.
final class OrangeHarness: @unchecked Sendable {
    // Only touched from the test's own thread; @unchecked because TemporaryDirectory is a class.
    let directory: TemporaryDirectory
    let home: String
    let runner = ProcessRunner()
    /// A private tmux server for this test (`tmux -L`), when the test runs agents.
    let tmuxSocket: String?

    init(tmux: Bool = false) throws {
        directory = try TemporaryDirectory()
        home = directory.path + "/home"
        tmuxSocket = tmux ? "orange-test-\(UInt32.random(in: 0...UInt32.max))" : nil
    }

    deinit { directory.remove() }

    /// Ends the private tmux server and every agent in it.
    func killTmuxServer() {
        guard let tmuxSocket else { return }
        _ = try? runner.run(["tmux", "-L", tmuxSocket, "kill-server"])
    }

    /// Whether tmux is installed (tests that run agents need it).
    static let hasTmux = FileSystem.findExecutable("tmux", searchPath: ProcessEnvironment.current()["PATH"] ?? "") != nil

    /// The `orange` executable next to the test bundle in the build folder.
    static let binary: String = {
        var path = CommandLine.arguments[0]
        while !path.isEmpty, !FileSystem.fileExists(path + "/orange") || FileSystem.isDirectory(path + "/orange") {
            guard let slash = path.lastIndex(of: "/") else { break }
            path = String(path[..<slash])
        }
        return path + "/orange"
    }()

    var environment: [String: String] {
        var env: [String: String] = [
            "ORANGE_HOME": home, "NO_COLOR": "1", "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "orange-test", "GIT_AUTHOR_EMAIL": "test@orange.invalid",
            "GIT_COMMITTER_NAME": "orange-test", "GIT_COMMITTER_EMAIL": "test@orange.invalid",
        ]
        if let tmuxSocket { env["ORANGE_TMUX_SOCKET"] = tmuxSocket }
        return env
    }

    /// Runs `orange args…` from `cwd` (a project folder by default), with `extraEnvironment` on
    /// top of the harness's own.
    @discardableResult
    func orange(_ args: [String], in cwd: String? = nil, input: String? = nil, extraEnvironment: [String: String] = [:]) throws
        -> ProcessResult
    {
        // The binary has no chdir option, so `env -C` sets its working directory.
        let argv = ["env", "-C", cwd ?? directory.path, Self.binary] + args
        return try runner.run(argv, environment: environment.merging(extraEnvironment) { $1 }, input: input, timeoutSeconds: 60)
    }

    /// Runs and parses `--json` output (the whole envelope, docs/json.md); fails the test when
    /// the command fails or its output is not an envelope of the current schema.
    func json(_ args: [String], in cwd: String? = nil, input: String? = nil) throws -> JSONValue {
        let result = try orange(args + ["--json"], in: cwd, input: input)
        #expect(result.exitCode == 0, "orange \(args.joined(separator: " ")) failed: \(result.stdout) \(result.stderr)")
        let value = try JSONValue.parse(result.stdout)
        #expect(
            value["schema"]?.intValue == JSONEnvelope.schema, "orange \(args.joined(separator: " ")): not an envelope: \(result.stdout)")
        return value
    }

    /// The `task` member of a command about one task (create, show, update, approve, …).
    func task(_ args: [String], in cwd: String? = nil, input: String? = nil) throws -> JSONValue {
        let value = try json(args, in: cwd, input: input)
        return try #require(value["task"], "orange \(args.joined(separator: " ")): no task in \(value.rendered())")
    }

    /// The `tasks` member (an array) of `task list` and `graph`.
    func tasks(_ args: [String], in cwd: String? = nil, input: String? = nil) throws -> JSONValue {
        let value = try json(args, in: cwd, input: input)
        return try #require(value["tasks"], "orange \(args.joined(separator: " ")): no tasks in \(value.rendered())")
    }

    /// The `message` of a `--json` error envelope (`{"schema": 1, "error": {"kind", "message"}}`).
    static func errorMessage(_ stdout: String) -> String? {
        (try? JSONValue.parse(stdout))?["error"]?["message"]?.stringValue
    }

    /// A git repository with one commit and a bare `origin`, registered as project `name`.
    func makeProject(_ name: String, poolSize: Int = 2) throws -> String {
        let origin = directory.path + "/\(name)-origin.git"
        let repo = directory.path + "/\(name)"
        try runner.check(["git", "init", "-q", "--bare", "-b", "main", origin])
        try runner.check(["git", "init", "-q", "-b", "main", repo])
        try runner.check(["git", "-C", repo, "commit", "-q", "--allow-empty", "-m", "initial"], environment: environment)
        try runner.check(["git", "-C", repo, "remote", "add", "origin", origin])
        try runner.check(["git", "-C", repo, "push", "-q", "-u", "origin", "main"], environment: environment)
        try runner.check(["git", "-C", repo, "remote", "set-head", "origin", "main"])
        _ = try json(["project", "add", repo, "--name", name, "--pool-size", String(poolSize)])
        return repo
    }

    /// Waits (deadline, not a fixed sleep) until `path` exists; returns its text, or nil when
    /// it never appeared.
    func waitForFile(_ path: String, timeout: Double = 30) throws -> String? {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            if let text = try? FileSystem.readText(path) { return text }
            clock.sleep(milliseconds: 20)  // a poll interval, not a wait for the outcome
        }
        return nil
    }
}
