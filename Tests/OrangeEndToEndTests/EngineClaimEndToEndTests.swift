import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// One engine per ORANGE_HOME, whatever happens to the files in it (issue 12, item 8).
@Suite(.serialized, .enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct EngineClaimEndToEndTests {
    /// Deleting `.engine.lock` used to let a second engine start (both then acted on the same
    /// tasks): the lock was a flock on that file. The claim is not a file.
    @Test func deletingTheLockFileLetsNoSecondEngineStart() throws {
        let h = try OrangeHarness(tmux: true)
        defer { h.killTmuxServer() }
        let repo = try h.makeProject("coffee")
        let pid = try h.startWatch(in: repo)
        defer { h.stopWatch(pid) }
        let enginePID = try FileSystem.readText(h.home + "/.engine.lock").trimmingSpaces()
        try FileSystem.removeTree(h.home + "/.engine.lock")

        // A second engine that started would run until killed: the timeout tells it apart.
        let second = try h.runner.run(
            ["env", "-C", repo, OrangeHarness.binary, "watch"], environment: h.environment, input: nil, timeoutSeconds: 15)
        #expect(!second.timedOut && second.exitCode == 1, "a second engine started: \(second.stdout) \(second.stderr)")
        #expect(second.stderr.contains("another orange engine is running for this ORANGE_HOME (pid \(enginePID))"), "\(second.stderr)")
        #expect(!FileSystem.fileExists(h.home + "/.engine.lock"), "the refused engine wrote its pid")

        // `watch sync` finds the running engine without the file, and it answers.
        let sync = try h.orange(["watch", "sync", "--timeout", "10"])
        #expect(sync.exitCode == 0, "\(sync.stderr) \(h.watchLog)")

        // Once it stops, the claim is free: sync says so and a new engine starts.
        h.stopWatch(pid)
        let none = try h.orange(["watch", "sync", "--timeout", "1"])
        #expect(none.exitCode == 1 && none.stderr.contains("no orange engine is running"), "\(none.stderr)")
        let next = try h.startWatch(in: repo)
        h.stopWatch(next)
    }
}
