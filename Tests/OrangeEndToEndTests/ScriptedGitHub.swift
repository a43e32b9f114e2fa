import OrangeCore
import OrangeSystem
import Testing

/// A scripted `gh` for tests (no forge is reachable from here): a shell script first on PATH
/// that records each call (working directory, then argv, tab-separated, with the time) and
/// answers in gh's own shapes: `pr create` prints the new PR's URL (and keeps the body it was
/// given on stdin), `pr view --json …` prints the JSON in `view.json`, `pr merge` prints nothing.
/// A file `fail-<subcommand>` makes that subcommand fail the way gh does (stderr, exit 1).
struct ScriptedGitHub {
    let bin: String
    static let url = "https://github.com/orange-test/coffee/pull/7"

    init(_ h: OrangeHarness) throws {
        bin = h.directory.path + "/gh-bin"
        try FileSystem.makeDirectories(bin)
        let script = #"""
            #!/bin/sh
            dir=$(dirname "$0")
            { printf '%s\t%s' "$(date +%s.%N)" "$PWD"; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } >> "$dir/calls"
            if [ -f "$dir/fail-$2" ]; then cat "$dir/fail-$2" >&2; exit 1; fi
            case "$1 $2" in
            "pr create") cat > "$dir/body"; echo "https://github.com/orange-test/coffee/pull/7" ;;
            "pr view") cat "$dir/view.json" ;;
            "pr merge") : ;;
            *) echo "unknown command \"$1 $2\" for \"gh\"" >&2; exit 1 ;;
            esac
            """#
        try AtomicFile.write(script, to: bin + "/gh", mode: 0o755)
        answer(state: "OPEN")
    }

    /// What `gh pr view` prints next, in gh's JSON shape.
    func answer(state: String, review: String = "", checks: String = "SUCCESS") {
        let merged = state == "MERGED" ? #""2026-12-04T05:00:00Z""# : "null"
        let json = """
            {"mergedAt":\(merged),"reviewDecision":"\(review)","state":"\(state)","statusCheckRollup":[{"__typename":"CheckRun","completedAt":"2026-12-04T04:59:00Z","conclusion":"\(checks)","detailsUrl":"https://ci.invalid/1","name":"build","startedAt":"2026-12-04T04:58:00Z","status":"COMPLETED","workflowName":"CI"}],"url":"\(Self.url)"}
            """
        try? AtomicFile.write(json + "\n", to: bin + "/view.json")
    }

    /// Makes `gh pr <subcommand>` fail with `stderr` (nil: succeed again).
    func fail(_ subcommand: String, _ stderr: String?) {
        if let stderr {
            try? AtomicFile.write(stderr, to: bin + "/fail-\(subcommand)")
        } else {
            try? FileSystem.removeTree(bin + "/fail-\(subcommand)")
        }
    }

    struct Call {
        var time: Double
        var directory: String
        var argv: [String]
    }

    var calls: [Call] {
        ((try? FileSystem.readText(bin + "/calls")) ?? "").split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Call(time: Double(fields[0]) ?? 0, directory: fields[1], argv: Array(fields.dropFirst(2)))
        }
    }

    var body: String? { try? FileSystem.readText(bin + "/body") }

    /// PATH with the scripted gh first.
    var path: String { bin + ":" + (ProcessEnvironment.current()["PATH"] ?? "/usr/bin:/bin") }
}

extension OrangeHarness {
    func orange(_ args: [String], in cwd: String? = nil, gh: ScriptedGitHub) throws -> ProcessResult {
        try orange(args, in: cwd, extraEnvironment: ["PATH": gh.path])
    }

    func json(_ args: [String], in cwd: String? = nil, gh: ScriptedGitHub) throws -> JSONValue {
        let result = try orange(args + ["--json"], in: cwd, gh: gh)
        #expect(result.exitCode == 0, "orange \(args.joined(separator: " ")) failed: \(result.stdout) \(result.stderr)")
        let value = try JSONValue.parse(result.stdout)
        #expect(
            value["schema"]?.intValue == JSONEnvelope.schema, "orange \(args.joined(separator: " ")): not an envelope: \(result.stdout)")
        return value
    }

    /// `orange watch` in the background with the scripted gh first on its PATH.
    func startWatch(in cwd: String, gh: ScriptedGitHub, arguments: [String]) throws -> String {
        let log = directory.path + "/watch.log"
        let extra = arguments.map { " " + ShellQuoting.quote($0) }.joined()
        let script =
            "cd \(ShellQuoting.quote(cwd)) && PATH=\(ShellQuoting.quote(gh.path)) \(ShellQuoting.quote(Self.binary)) watch --sweep-interval 2\(extra) > \(ShellQuoting.quote(log)) 2>&1 & echo $!"
        let pid = try runner.check(["sh", "-c", script], environment: environment).stdout.trimmingSpaces()
        try waitUntilTheEngineAnswers()
        return pid
    }

    /// A branch with one commit in the project, the user's checkout left on main.
    func commitOnBranch(_ branch: String, in repo: String) throws {
        try runner.check(["git", "-C", repo, "checkout", "-q", "-b", branch], environment: environment)
        try runner.check(["git", "-C", repo, "commit", "-q", "--allow-empty", "-m", "work on \(branch)"], environment: environment)
        try runner.check(["git", "-C", repo, "checkout", "-q", "main"], environment: environment)
    }

    /// A task in review on `branch` (which has a commit), without an agent.
    func reviewingTask(_ branch: String, _ description: String, in repo: String) throws -> String {
        try commitOnBranch(branch, in: repo)
        let created = try task(["task", "create", branch, description, "--status", "reviewing"], in: repo)
        return created["id"]?.stringValue ?? ""
    }

    /// Polls (with a deadline) until `condition` holds.
    func waitUntil(timeout: Double = 30, _ what: String, _ condition: () throws -> Bool) rethrows {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            if try condition() { return }
            clock.sleep(milliseconds: 50)  // a poll interval, not a wait for the outcome
        }
        Issue.record("timed out waiting for \(what)")
    }
}
