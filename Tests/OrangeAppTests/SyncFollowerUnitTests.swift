import OrangeCore
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeApp

/// The engine's sync follower over a fake of the shared folders: what it tells the person (a
/// state once, when it changes), a folder whose round fails not stopping the others, and the
/// renewal of this machine's leases.
struct SyncFollowerUnitTests {
    /// Answers each folder's rounds from a script, in order; the last answer repeats.
    final class ScriptedFolders: SharedTasksFolders {
        let script: Mutex<[String: [Result<SharedTasksRound, OrangeError>]]>
        let rounds = Mutex<[String]>([])
        init(_ script: [String: [Result<SharedTasksRound, OrangeError>]]) { self.script = Mutex(script) }
        func names() -> [String] { script.withLock { $0.keys.sorted() } }
        func syncRound(_ name: String, machine: String) throws -> SharedTasksRound {
            rounds.withLock { $0.append(name + "@" + machine) }
            let answer = script.withLock { script -> Result<SharedTasksRound, OrangeError> in
                let queue = script[name] ?? []
                if queue.count > 1 { script[name] = Array(queue.dropFirst()) }
                return queue.first ?? .success(SharedTasksRound())
            }
            return try answer.get()
        }
    }

    static let offline = SharedTasksRound(reachable: false, error: "ssh: connect to host example: Connection refused")

    /// What the follower said, line by line.
    final class Said: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    func follower(_ world: InMemoryWorld, _ folders: ScriptedFolders, said: Said) -> SyncFollower {
        var context = world.context
        context.stores.sharedTasks = folders
        return SyncFollower(context: context, machine: "m1", intervalSeconds: 3) { _, text in said.lines.withLock { $0.append(text) } }
    }

    @Test func aStateIsSaidOnceWhenItChangesNotEveryRound() {
        let world = InMemoryWorld()
        let folders = ScriptedFolders([
            "tasks": [
                .success(SharedTasksRound()), .success(SharedTasksRound()), .success(Self.offline), .success(Self.offline),
                .success(SharedTasksRound(merge: .merged(files: 2))),
            ]
        ])
        let said = Said()
        let follower = follower(world, folders, said: said)

        for _ in 0..<5 { follower.round() }

        #expect(folders.rounds.withLock { $0 } == Array(repeating: "tasks@m1", count: 5))
        let lines = said.all
        // The first good round is the normal state: nothing to say. Then offline once, back once.
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.contains("remote unreachable (ssh: connect to host example: Connection refused)") == true, "\(lines)")
        #expect(lines.last == "  sync tasks: remote reachable", "\(lines)")
    }

    @Test func aFolderWhoseRoundFailsIsReportedAndTheOthersStillRun() {
        let world = InMemoryWorld()
        let folders = ScriptedFolders([
            "tasks/api": [.failure(OrangeError("timed out waiting for the lock of tasks/api"))],
            "tasks/web": [.success(SharedTasksRound(committed: true, pushed: true))],
        ])
        let said = Said()
        let follower = follower(world, folders, said: said)

        follower.round()
        follower.round()

        #expect(folders.rounds.withLock { $0 } == ["tasks/api@m1", "tasks/web@m1", "tasks/api@m1", "tasks/web@m1"])
        #expect(said.all == ["! sync tasks/api: timed out waiting for the lock of tasks/api"])
        #expect(world.logger.recorded.contains { $0.message == "Sync round failed" })
        #expect(world.logger.recorded.contains { $0.message == "Sync round" }, "the pushed round is logged")
    }

    @Test func thisMachinesLeasesAreRenewedBeforeTheyRunLowAndNoOtherMachinesAre() throws {
        let world = InMemoryWorld(environment: [GitSpawnClaims.leaseVariable: "600"])
        let now = world.clock.now()
        func claimed(_ id: String, by machine: String, status: TaskStatus, leftSeconds: Int64) -> TaskRecord {
            var task = world.task(id, status: status)
            task.setClaim(ClaimStamp(machine: machine, until: now.adding(milliseconds: leftSeconds * 1000)))
            return task
        }
        try world.add(
            claimed("low", by: "m1", status: .working, leftSeconds: 200),
            claimed("fresh", by: "m1", status: .working, leftSeconds: 500),
            claimed("finished", by: "m1", status: .done, leftSeconds: 10),
            claimed("theirs", by: "m2", status: .working, leftSeconds: 10))
        let said = Said()
        let follower = follower(world, ScriptedFolders([:]), said: said)

        follower.round()

        func until(_ id: String) throws -> Timestamp? { try world.tasks.find(TaskID(validating: id)!)?.claimUntil }
        #expect(try until("low") == now.adding(milliseconds: 600_000), "under half a lease left: renewed to a whole one")
        #expect(try until("fresh") == now.adding(milliseconds: 500_000), "more than half left: not yet")
        #expect(try until("finished") == now.adding(milliseconds: 10_000), "a finished task's claim means nothing")
        #expect(try until("theirs") == now.adding(milliseconds: 10_000), "another machine's lease is its own")

        // The leases are looked at every quarter of a lease (150 s): not at 100 s; at 210 s
        // "fresh" has 290 s left, under half a lease, and is renewed.
        world.clock.advance(milliseconds: 100_000)
        follower.round()
        #expect(try until("fresh") == now.adding(milliseconds: 500_000))
        world.clock.advance(milliseconds: 110_000)
        follower.round()
        #expect(try until("fresh") == now.adding(milliseconds: 810_000))
    }
}
