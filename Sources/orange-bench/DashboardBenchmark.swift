@preconcurrency import Glibc
import OrangeCore
import OrangeSystem

/// `orange-bench dashboard`: the dashboard as a user sees it, in a real tmux pane (on a private
/// server, `tmux -L orange-bench-<random>`, killed after): from starting `orange dashboard` to
/// the first screen with a task on it, and from a `j` sent with `send-keys` to the screen
/// redrawn (`capture-pane` polled until it differs). On the tree of `orange-bench reads`, with
/// no engine (the dashboard runs its own) and with `orange watch` running (it follows it).
enum DashboardBenchmark {
    static let keys = 20

    static func run(sizes: [Int], orange: String) throws -> String {
        let probe = try tmuxRoundTrip()
        var out =
            "| tasks | engine | start → first screen with tasks | start → every task loaded | key `j` → screen redrawn (median) | p90 | max | keys |\n|---|---|---|---|---|---|---|---|\n"
        for size in sizes {
            var template = Array("/tmp/orange-dash-XXXXXX".utf8CString)
            let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            defer { try? FileSystem.removeTree(root) }
            let home = root + "/home"
            let environment = ["ORANGE_HOME": home, "PATH": ProcessEnvironment.current()["PATH"] ?? "/usr/bin:/bin"]
            try ReadsBenchmark.makeProject(root: root, environment: environment, orange: orange)
            try ReadsBenchmark.writeTree(size, home: home)
            // The catch-up's notes on ready tasks (no agent installed) are written once, before.
            _ = try ProcessRunner().run([orange, "watch", "--once"], environment: environment, input: nil, timeoutSeconds: 900)

            FileHandleOutput.note("dashboard: \(size) tasks, no engine")
            out += row(size, "none (runs its own)", try measure(home: home, orange: orange))

            // The dashboard above held the engine lock until tmux's hang-up ended it.
            while try ProcessRunner().run(
                [orange, "watch", "sync", "--timeout", "1"], environment: environment, input: nil, timeoutSeconds: 30
            )
            .exitCode == 0 {
                usleep(50_000)
            }
            let engine = try RunningProcess(
                [orange, "watch", "--json", "--sweep-interval", "3600"], environment: environment, errorLog: root + "/watch.err")
            defer { engine.terminate() }
            while try ProcessRunner().run(
                [orange, "watch", "sync", "--timeout", "900"], environment: environment, input: nil, timeoutSeconds: 960
            ).exitCode != 0 {
                usleep(5_000)
            }
            FileHandleOutput.note("dashboard: \(size) tasks, engine running")
            out += row(size, "`orange watch` running", try measure(home: home, orange: orange))
        }
        out +=
            "\nEach figure includes one `capture-pane` round trip, the resolution of the polling: \(Bench.format(probe)) ms (median) on this run.\n"
        return out
    }

    struct Figures {
        var firstScreen: Double
        var loaded: Double
        var keys: [Double]
    }

    private static func row(_ size: Int, _ engine: String, _ f: Figures) -> String {
        "| \(size) | \(engine) | \(Bench.format(f.firstScreen / 1000)) s | \(Bench.format(f.loaded / 1000)) s | "
            + "\(Bench.format(Bench.percentile(f.keys, 0.5))) ms | \(Bench.format(Bench.percentile(f.keys, 0.9))) ms | "
            + "\(Bench.format(f.keys.max() ?? 0)) ms | \(f.keys.count) |\n"
    }

    /// One dashboard in a fresh tmux server: its start, then `keys` presses of `j`.
    static func measure(home: String, orange: String) throws -> Figures {
        let tmux = Tmux(socket: "orange-bench-\(UInt32.random(in: 0...UInt32.max))")
        defer { tmux.killServer() }
        let clock = SystemClock()
        let begin = clock.monotonicNanoseconds()
        try tmux.check([
            "new-session", "-d", "-x", "160", "-y", "50", "-s", "dash",
            "exec env ORANGE_HOME='\(home)' TERM=xterm-256color '\(orange)' dashboard",
        ])
        func elapsed() -> Double { Double(clock.monotonicNanoseconds() - begin) / 1e6 }
        // A task on screen: the selected row's marker.
        var screen = try tmux.waitForScreen(timeout: 300) { $0.contains("❯ ") }
        let firstScreen = elapsed()
        // Every task loaded: the dashboard's own rows carry the activity column (`5m ago`, or
        // `20791d a` cut to the column; the engine's first rows have none), and the frame then
        // holds still for a second.
        screen = try tmux.waitForScreen(timeout: 600) { $0.contains(/[0-9][smhd] a/) }
        let loaded = elapsed()
        var still = clock.monotonicNanoseconds()
        while clock.monotonicNanoseconds() - still < 1_000_000_000 {
            usleep(100_000)
            let now = try tmux.capture()
            if now != screen { (screen, still) = (now, clock.monotonicNanoseconds()) }
        }

        var times: [Double] = []
        for _ in 0..<keys {
            let before = try tmux.capture()
            let sent = clock.monotonicNanoseconds()
            try tmux.check(["send-keys", "-t", "dash", "j"])
            _ = try tmux.waitForScreen(timeout: 60) { $0 != before }
            times.append(Double(clock.monotonicNanoseconds() - sent) / 1e6)
            usleep(50_000)
        }
        return Figures(firstScreen: firstScreen, loaded: loaded, keys: times)
    }

    /// The cost of one `capture-pane` on an idle pane.
    private static func tmuxRoundTrip() throws -> Double {
        let tmux = Tmux(socket: "orange-bench-\(UInt32.random(in: 0...UInt32.max))")
        defer { tmux.killServer() }
        try tmux.check(["new-session", "-d", "-x", "160", "-y", "50", "-s", "dash", "sleep 600"])
        let clock = SystemClock()
        var times: [Double] = []
        for _ in 0..<20 {
            let begin = clock.monotonicNanoseconds()
            _ = try tmux.capture()
            times.append(Double(clock.monotonicNanoseconds() - begin) / 1e6)
        }
        return Bench.percentile(times, 0.5)
    }

    /// tmux on its own server socket.
    struct Tmux {
        let socket: String

        @discardableResult
        func check(_ arguments: [String]) throws -> String {
            let result = try ProcessRunner().run(
                ["tmux", "-L", socket, "-f", "/dev/null"] + arguments, environment: [:], input: nil, timeoutSeconds: 30)
            guard result.exitCode == 0 else { throw BenchError("tmux \(arguments.first ?? "") failed: \(result.stderr)") }
            return result.stdout
        }

        func capture() throws -> String { try check(["capture-pane", "-p", "-t", "dash"]) }

        /// Polls the pane until `done` holds for its text.
        func waitForScreen(timeout seconds: Double, _ done: (String) -> Bool) throws -> String {
            let clock = SystemClock()
            let deadline = clock.monotonicNanoseconds() + UInt64(seconds * 1e9)
            while clock.monotonicNanoseconds() < deadline {
                let screen = try capture()
                if done(screen) { return screen }
            }
            throw BenchError("the dashboard's screen did not change within \(seconds) s:\n" + ((try? capture()) ?? ""))
        }

        func killServer() {
            _ = try? ProcessRunner().run(["tmux", "-L", socket, "kill-server"], environment: [:], input: nil, timeoutSeconds: 30)
        }
    }
}
