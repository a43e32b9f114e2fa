import Glibc
import OrangeCore
import Synchronization
import Testing

@testable import OrangeApp
@testable import OrangeSystem

/// A pull into a tasks folder kept in git is applied as one batch: while git holds the index
/// lock of the repository (the whole `tasks/`, or one project's folder as `orange sync init
/// --project` shares it), the changes are held, and go to the graph together once it is gone.
@Suite(.serialized) struct EngineGitLockTests {
    @Test(arguments: ["tasks", "project"])
    func changesMadeWhileGitHoldsTheIndexLockAreAppliedAsOneBatch(repository: String) throws {
        let home = try EngineHome()
        for k in 0..<2 { try home.create(home.record("t\(k)")) }
        let gitDirectory = repository == "tasks" ? home.tasks + "/.git" : home.tasks + "/p/.git"
        try FileSystem.makeDirectories(gitDirectory)
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3_600
        // The storm's cap (1 s) is for stale locks; a loaded machine's pauses between the writes
        // below must not end the storm before the lock goes.
        options.stormCapMilliseconds = 60_000
        let updates = Atomic<Int>(0)
        let engine = try RunningEngine(home, options: options, afterGraphUpdate: { updates.add(1, ordering: .relaxed) })
        let before = updates.load(ordering: .relaxed)

        // git takes its lock, then rewrites the files one after the other.
        try FileSystem.createEmptyFile(gitDirectory + "/index.lock")
        var first = home.record("t0", description: "pulled")
        first.status = .done
        try home.save(first)
        // Longer than the quiet period: unheld, the first change would go out on its own.
        usleep(100_000)
        var second = home.record("t1", description: "pulled")
        second.status = .done
        try home.save(second)
        try FileSystem.removeTree(gitDirectory + "/index.lock")
        do { try engine.sync(seconds: 30) } catch {
            _ = try? engine.stop()
            throw error
        }
        let snapshot = try engine.stop()

        #expect(snapshot.graph[TaskID(validating: "t0")!]?.status == .done && snapshot.graph[TaskID(validating: "t1")!]?.status == .done)
        #expect(updates.load(ordering: .relaxed) - before == 1, "the two changes of the pull reached the graph in one update")
    }
}
