import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// F12 end to end: `orange watch` in a user namespace (`unshare -Ur`) whose inotify watch limit
/// leaves every task folder unwatched. Edits there must be seen by the fast poll, well before the
/// sweep; once the limit is raised, the watches are added and events take over.
/// Whether `unshare -Ur` works here and lets the namespace lower its own inotify limits.
enum UserNamespaces {
    static let canLowerInotifyLimits: Bool = {
        guard access("/usr/bin/unshare", X_OK) == 0 else { return false }
        let probe = try? ProcessRunner().run(
            ["/usr/bin/unshare", "-Ur", "sh", "-c", "echo 64 > /proc/sys/user/max_inotify_watches"],
            environment: [:], input: nil, timeoutSeconds: 10)
        return probe?.exitCode == 0
    }()
}

@Suite(.serialized, .enabled(if: UserNamespaces.canLowerInotifyLimits, "needs unshare -Ur with a writable max_inotify_watches"))
struct WatchDegradedEndToEndTests {
    /// Waits (with a deadline) until the engine's log has a line containing all of `parts`;
    /// returns the seconds it took.
    static func waitForLog(_ h: OrangeHarness, _ parts: [String], seconds: Double) -> Double? {
        let clock = SystemClock()
        let start = clock.monotonicNanoseconds()
        while clock.monotonicNanoseconds() < start + UInt64(seconds * 1e9) {
            if h.watchLog.split(separator: "\n").contains(where: { line in parts.allSatisfy { line.contains($0) } }) {
                return Double(clock.monotonicNanoseconds() - start) / 1e9
            }
            usleep(10_000)  // how often to look at the log, not a wait for the engine
        }
        return nil
    }

    @Test func unwatchedFoldersArePolledThenWatchedWhenTheLimitIsRaised() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("p")
        var ids: [String] = []
        for index in 0..<4 {
            let created = try h.task(["task", "create", "b\(index)", "work", "--status", "reviewing", "--no-spawn"], in: repo)
            ids.append(try #require(created["id"]?.stringValue))
        }
        // The namespace allows 3 watches: the data root, tasks/ and tasks/p. The 4 task folders
        // get none. The shell keeps the namespace open and raises the limit when told to (a line
        // on the fifo); the sweep is an hour away, so only the poll can see the first edits.
        // The notification hook hears of the degraded engine (once).
        try AtomicFile.write(recordingHook, to: h.directory.path + "/hook.sh", mode: 0o755)
        try AtomicFile.write(#"{"notify": ["\#(h.directory.path)/hook.sh", "{event}", "{message}"]}"#, to: h.home + "/config.json")
        let fifo = h.directory.path + "/raise-limit"
        #expect(mkfifo(fifo, 0o600) == 0)
        let inner =
            "echo 3 > /proc/sys/user/max_inotify_watches"
            + " && { \"$0\" watch --json --poll-interval 0.2 --sweep-interval 3600 & }"
            + " && read line < \"$1\" && echo 1000 > /proc/sys/user/max_inotify_watches && wait"
        let log = h.directory.path + "/watch.log"
        let script =
            "/usr/bin/unshare -Ur sh -c \(ShellQuoting.quote(inner)) \(ShellQuoting.quote(OrangeHarness.binary)) \(ShellQuoting.quote(fifo))"
            + " > \(ShellQuoting.quote(log)) 2>&1 < /dev/null & echo $!"
        _ = try h.runner.check(["sh", "-c", script], environment: h.environment)
        let clock = SystemClock()
        let ready = clock.monotonicNanoseconds() + 20_000_000_000
        while try h.orange(["watch", "sync", "--timeout", "2"]).exitCode != 0 {
            if clock.monotonicNanoseconds() > ready { Issue.record("orange watch did not start: \(h.watchLog)"); return }
        }
        let pid = try FileSystem.readText(h.home + "/.engine.lock").trimmingSpaces()
        defer {
            // Unblocks the shell if the test stopped early, then ends the engine.
            let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if fd >= 0 { _ = write(fd, "x\n", 2); close(fd) }
            h.stopWatch(pid)
        }
        #expect(Self.waitForLog(h, [#""degraded":true"#, #""unwatched":4"#, "max_user_watches = 3"], seconds: 5) != nil, "\(h.watchLog)")
        try h.eventually("the degraded notification") { h.text("hook.sh.calls").contains("engine.degraded|watch: 4 folders") }

        // Edits in unwatched folders: each is seen by a poll (every 0.2 s), not by an event.
        for id in ids.prefix(2) {
            try h.renameOverSave(id, project: "p") { $0.replacing("status: reviewing\n", with: "status: done\n") }
            let seen = Self.waitForLog(h, [#""event":"status""#, id, #""to":"done""#], seconds: 10)
            #expect(seen != nil, "the edit of \(id) was not seen: \(h.watchLog)")
            print("F12: an edit in an unwatched folder was seen after \(seen.map { "\($0)" } ?? "never") s (poll interval 0.2 s)")
        }

        // The limit rises: the next retry adds the watches and says so; then events take over.
        let fd = open(fifo, O_WRONLY | O_CLOEXEC)
        #expect(fd >= 0)
        _ = write(fd, "x\n", 2)
        close(fd)
        #expect(Self.waitForLog(h, [#""degraded":false"#, "every folder is watched again"], seconds: 10) != nil, "\(h.watchLog)")
        try h.renameOverSave(ids[3], project: "p") { $0.replacing("status: reviewing\n", with: "status: done\n") }
        #expect(try h.orange(["watch", "sync", "--timeout", "10"]).exitCode == 0)
        // No wait here: the sync is answered only after the event was applied.
        #expect(h.watchLog.contains(ids[3]), "\(h.watchLog)")
        #expect(h.text("hook.sh.calls").split(separator: "\n").count == 1, "\(h.text("hook.sh.calls"))")
    }
}
