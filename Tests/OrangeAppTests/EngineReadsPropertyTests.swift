import Foundation
import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeApp

/// The engine's answers equal the scan's: random graphs and random edits (written straight to
/// the files, as editors and agents do), each followed at once, without any sync, by the same
/// reads through the engine (`ORANGE_ENGINE_READS=required`: an engine that does not answer
/// fails the test) and from a scan. The lists are asked every round of the same engine, which
/// keeps each task's rendered piece between lists (`EngineListPieces`): the edits include the
/// ones that leave a listed task's own file as it was but change what it shows (a blocker done,
/// a child added, a project's modes), so a piece kept past such a change fails here. The
/// engine keeps its ready `--json` list in chunks of two tasks (`EngineListChunks`), kept
/// across edits by the graph's change log, so an edit whose reach the log misses (a parent's
/// progress, a child's inherited modes, a dependent's readiness) leaves a stale chunk here.
@Suite(.serialized)
struct EngineReadsPropertyTests {
    @Test func theEnginesAnswersEqualTheScansAfterEveryEdit() throws {
        let seed = FuzzBudget.seed(default: 19)
        var random = SeededRandom(seed: seed)
        let home = try EngineHome()
        let statuses: [TaskStatus] = [.pending, .reviewing, .done, .cancelled, .failed]
        var ids: [String] = []
        func write(_ id: String, fresh: Bool) throws {
            var record = home.record(id, project: ["p", "q"][Int(random.next() % 5 == 0 ? 1 : 0)])
            record.status = statuses[Int(random.next() % UInt64(statuses.count))]
            record.createdAt = Timestamp(millisecondsSinceEpoch: Int64(random.next() % 1000))
            record.description = random.next() % 3 == 0 ? "" : "about \(id)"
            let others = ids.filter { $0 != id }
            if !others.isEmpty {
                // Edges to anything, including missing tasks and cycles: the scan keeps those too.
                for _ in 0..<Int(random.next() % 3) { record.blockedBy.append(TaskID(validating: others.randomElement(using: &random)!)!) }
                if random.next() % 4 == 0 { record.parent = TaskID(validating: others.randomElement(using: &random)!)! }
                if random.next() % 8 == 0 { record.blockedBy.append(TaskID(validating: "gone\(random.next() % 9)")!) }
                if random.next() % 5 == 0 { record.children = [TaskID(validating: others.randomElement(using: &random)!)!] }
            }
            // Fields kept outside the compact record's inline part, shown in every list.
            if random.next() % 6 == 0 { record.execution = [.sequential, .parallel][Int(random.next() % 2)] }
            if random.next() % 6 == 0 { record.branches = [.flat, .hierarchical][Int(random.next() % 2)] }
            if random.next() % 8 == 0 { record.hold = random.next() % 2 == 0 ? "" : "wait" }
            record.blockedBy = Array(Set(record.blockedBy)).sorted()
            if let existing = try? home.context.stores.tasks.scan(project: nil).tasks.first(where: { $0.id.rawValue == id }),
                existing.project != record.project
            {
                record.project = existing.project
            }
            if fresh { try home.create(record) } else { try home.save(record) }
        }
        // Project p is registered: its modes are each of its tasks' effective modes.
        let p = ProjectName(validating: "p")!
        _ = try home.context.stores.projects.update { $0.append(Project(name: p, path: home.home + "/repo", defaultBranch: "main")) }
        for index in 0..<12 {
            ids.append("t\(index)")
            try write("t\(index)", fresh: true)
        }
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3600
        // The ready list kept in chunks of two tasks: every edit crosses or moves a chunk's bounds.
        options.listChunkTasks = 2
        // The engine's own reconciles write (a spawn's last_error, link repairs) 30 ms after an
        // edit: held once it has started, so both sides read the same files.
        let holdReconciles = Mutex(false)
        let engine = try RunningEngine(home, options: options) {
            while holdReconciles.withLock({ $0 }) { usleep(1000) }
        }
        holdReconciles.withLock { $0 = true }
        defer {
            holdReconciles.withLock { $0 = false }
            _ = try? engine.stop()
        }

        var viaEngine = home.context
        viaEngine.stores.engineReads = SocketEngineReads(home: home.home)
        viaEngine.environment = ["ORANGE_ENGINE_READS": "required"]
        var viaScan = home.context
        viaScan.stores.engineReads = NoEngineReads()

        let rounds = FuzzBudget.iterations(default: 25)
        for round in 0..<rounds {
            // One to three edits: rewrite a task, add one, or delete one.
            for _ in 0..<(1 + Int(random.next() % 3)) {
                switch random.next() % 7 {
                case 6:
                    let modes = ProjectModes(
                        execution: random.next() % 2 == 0 ? .sequential : .parallel,
                        branches: random.next() % 2 == 0 ? .flat : .hierarchical)
                    _ = try home.context.stores.projects.update { $0[0].modes = modes }
                case 0:
                    ids.append("n\(round)x\(ids.count)")
                    try write(ids.last!, fresh: true)
                case 5:
                    // A blocker done or pending again: its dependents enter or leave the ready list
                    // while their own files stay as they were.
                    let id = ids.randomElement(using: &random)!
                    if var record = try home.context.stores.tasks.scan(project: nil).tasks.first(where: { $0.id.rawValue == id }) {
                        record.status = record.status == .done ? .pending : .done
                        try home.save(record)
                    }
                case 1 where ids.count > 4:
                    let victim = ids.remove(at: Int(random.next() % UInt64(ids.count)))
                    for project in ["p", "q"] { try? FileSystem.removeTree("\(home.tasks)/\(project)/\(victim)") }
                default:
                    try write(ids.randomElement(using: &random)!, fresh: false)
                }
            }
            let someone = ids.randomElement(using: &random)!
            let reads: [[String]] = [
                ["task", "list", "--all", "--json"], ["task", "list", "--all"], ["task", "list", "--all", "--ready"],
                ["task", "list", "--all", "--ready", "--json"], ["task", "list", "--project", "p", "--status", "pending,done", "--json"],
                ["task", "list", "--all", "--blocked", "--json"], ["task", "list", "--all", "--tree"],
                ["task", "list", "--all", "--status", "done,pending"], ["task", "show", someone, "--json"], ["task", "show", someone],
                ["task", "why", someone], ["task", "show", "missing1"], ["graph", "--all", "--json"],
                ["graph", "--all", "--format", "dot"], ["dashboard", "--json"], ["dashboard", "--json", "--flat"],
            ]
            for argv in reads {
                let engineOutcome = withoutHistory(OrangeCLI(context: viaEngine).execute(argv))
                let scanOutcome = withoutHistory(OrangeCLI(context: viaScan).execute(argv))
                #expect(
                    engineOutcome == scanOutcome,
                    "seed \(seed), round \(round), \(argv.joined(separator: " ")):\nengine: \(engineOutcome)\nscan: \(scanOutcome)")
                if engineOutcome != scanOutcome { return }
            }
        }
    }

    /// `task show` prints history.jsonl, which the engine appends to on its own thread when it
    /// sees a status edited outside orange: a file read, not a graph fact, so left out here.
    /// The engine's `--json` lists come as its sealed memory file (`preparedStdout`): compared
    /// by their bytes, read from it.
    private func withoutHistory(_ outcome: CommandOutcome) -> CommandOutcome {
        var outcome = outcome
        outcome.stdout = outcome.stdoutText
        outcome.preparedStdout = nil
        if let cut = outcome.stdout.range(of: "  history:\n") { outcome.stdout = String(outcome.stdout[..<cut.lowerBound]) }
        if let cut = outcome.stdout.range(of: ",\n  \"history\": [") { outcome.stdout = String(outcome.stdout[..<cut.lowerBound]) }
        return outcome
    }
}
