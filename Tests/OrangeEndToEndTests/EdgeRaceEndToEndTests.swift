import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Edge writes racing as real processes: `task update A --blocked-by B & task update B
/// --blocked-by A`, three-task rings, and a `task create --parent` racing an edge that would
/// close a cycle through the new task. Each write reads the graph, checks it and writes under the
/// project's graph lock, so in every round exactly the writes that close no cycle succeed, the
/// others are refused with the cycle, and the graph ends with no cycle at all.
///
/// `ORANGE_STRESS=1` runs 1,000 rounds of each kind instead of a few dozen.
@Suite(.serialized) struct EdgeRaceEndToEndTests {
    static var stress: Bool { ProcessEnvironment.current()["ORANGE_STRESS"] == "1" }
    static let project = ProjectName(validating: "coffee")!
    /// Rounds per data folder: every orange process reads the whole tree, so a long run is split
    /// over fresh folders to keep each process as quick as in real use.
    static let batch = 50

    /// One racing write's outcome.
    struct Outcome {
        var exitCode: Int
        var stderr: String
    }

    /// Runs the rounds of `round` over fresh data folders; `round(i)` gives the shell lines of
    /// the writers to start together, each printing `<label> <exit code> <stderr>`.
    /// Returns every outcome by label, and checks after each batch that the graph has no cycle.
    func race(rounds: Int, setUp: (FileTaskStore, Int) throws -> [String]) throws -> [String: Outcome] {
        var outcomes: [String: Outcome] = [:]
        var done = 0
        while done < rounds {
            let h = try OrangeHarness()
            let repo = try h.makeProject(Self.project.rawValue, poolSize: 1)
            let store = FileTaskStore(layout: DataDirectory(home: h.home))
            var script = "cd \"$REPO\"\n"
            let count = min(Self.batch, rounds - done)
            for i in done..<(done + count) {
                // `wait` ends the round: only the writes of one round race each other.
                script += try setUp(store, i).map { "\($0) &\n" }.joined() + "wait\n"
            }
            var environment = h.environment
            environment["ORANGE_BIN"] = OrangeHarness.binary
            environment["REPO"] = repo
            let result = try h.runner.run(["sh", "-c", script], environment: environment, input: nil, timeoutSeconds: 1_200)
            #expect(result.exitCode == 0, "\(result.stderr)")
            for line in result.stdout.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count >= 2, let code = Int(parts[1]) else { Issue.record("bad line: \(line)"); continue }
                outcomes[String(parts[0])] = Outcome(exitCode: code, stderr: parts.count > 2 ? String(parts[2]) : "")
            }
            let graph = TaskGraph(try store.scan(project: nil).tasks)
            let cycles = CycleIndex(graph: graph)
            #expect(cycles.isEmpty, "cycles written: \(cycles.components)")
            // `orange doctor` agrees: no cycle, and the graph lock file is not a stray file.
            let doctor = try h.orange(["doctor"])
            #expect(doctor.exitCode == 0 && doctor.stdout.hasPrefix("No problems found"), "\(doctor.stdout)\(doctor.stderr)")
            done += count
        }
        return outcomes
    }

    /// A shell line running `orange args…` that prints `<label> <exit code> <stderr on one line>`.
    func writer(_ label: String, _ args: String) -> String {
        "{ err=$(\"$ORANGE_BIN\" \(args) 2>&1 >/dev/null); code=$?; echo \"\(label) $code $(printf '%s' \"$err\" | tr '\\n' ' ')\"; }"
    }

    /// Tasks in review: they are never spawned, so the writers only race on the graph.
    func makeTasks(_ store: FileTaskStore, _ names: [String], round: Int) throws -> [TaskID] {
        try names.map { name in
            let id = TaskID(validating: "\(name)\(round)")!
            try store.create(
                TaskRecord(
                    id: id, project: Self.project, branch: "b-\(id)", status: .reviewing,
                    createdAt: Timestamp(millisecondsSinceEpoch: 1_000 + Int64(round)), updatedAt: Timestamp(millisecondsSinceEpoch: 1_000))
            )
            return id
        }
    }

    /// Checks that the outcomes of one round are `succeeded` successes and refusals naming a cycle.
    func expectRound(_ outcomes: [String: Outcome], _ labels: [String], succeeded: Int, round: Int) {
        let results = labels.map { outcomes[$0] }
        #expect(results.allSatisfy { $0 != nil }, "round \(round): a writer did not report")
        let wins = results.count { $0?.exitCode == 0 }
        #expect(wins == succeeded, "round \(round): \(wins) writes succeeded, expected \(succeeded): \(results)")
        for case let result? in results where result.exitCode != 0 {
            #expect(result.exitCode == 1 && result.stderr.contains("cycle:"), "round \(round): refused for another reason: \(result)")
        }
    }

    var rounds: Int { Self.stress ? 1_000 : 40 }

    @Test func racingPairsLeaveNoCycleAndExactlyOneWins() throws {
        let outcomes = try race(rounds: rounds) { store, i in
            let ids = try makeTasks(store, ["a", "b"], round: i)
            return [
                writer("a\(i)", "task update \(ids[0]) --blocked-by \(ids[1])"),
                writer("b\(i)", "task update \(ids[1]) --blocked-by \(ids[0])"),
            ]
        }
        for i in 0..<rounds { expectRound(outcomes, ["a\(i)", "b\(i)"], succeeded: 1, round: i) }
    }

    @Test func racingRingsOfThreeLeaveNoCycleAndExactlyTwoWin() throws {
        let rings = Self.stress ? 1_000 : 20
        let outcomes = try race(rounds: rings) { store, i in
            let ids = try makeTasks(store, ["a", "b", "c"], round: i)
            return (0..<3).map { k in
                writer("\(["a", "b", "c"][k])\(i)", "task update \(ids[k]) --blocked-by \(ids[(k + 1) % 3])")
            }
        }
        for i in 0..<rings { expectRound(outcomes, ["a\(i)", "b\(i)", "c\(i)"], succeeded: 2, round: i) }
    }

    /// `task create x --parent p --blocked-by b` against `task update b --blocked-by p`: either
    /// alone is fine, both close p → x → b → p.
    @Test func aCreateUnderAParentRacingAnEdgeLeavesNoCycle() throws {
        let creates = Self.stress ? 1_000 : 20
        let outcomes = try race(rounds: creates) { store, i in
            let ids = try makeTasks(store, ["p", "b"], round: i)
            return [
                writer("x\(i)", "task create x-\(i) child --no-spawn --status reviewing --parent \(ids[0]) --blocked-by \(ids[1])"),
                writer("b\(i)", "task update \(ids[1]) --blocked-by \(ids[0])"),
            ]
        }
        for i in 0..<creates { expectRound(outcomes, ["x\(i)", "b\(i)"], succeeded: 1, round: i) }
    }

    /// A task already on a cycle made by hand can still take a blocker that closes no new cycle;
    /// one that does close a new cycle is still refused, naming that cycle.
    @Test func aTaskOnAHandMadeCycleCanTakeAnUnrelatedBlocker() throws {
        let h = try OrangeHarness()
        _ = try h.makeProject(Self.project.rawValue)
        let store = FileTaskStore(layout: DataDirectory(home: h.home))
        let ids = try makeTasks(store, ["x", "y", "z", "w"], round: 0)
        let (x, y, z, w) = (ids[0], ids[1], ids[2], ids[3])
        try store.update(x, in: Self.project) { $0.blockedBy = [y] }
        try store.update(y, in: Self.project) { $0.blockedBy = [x] }
        try store.update(w, in: Self.project) { $0.blockedBy = [x] }

        let unrelated = try h.orange(["task", "update", x.rawValue, "--blocked-by", z.rawValue])
        #expect(unrelated.exitCode == 0, "\(unrelated.stderr)")
        #expect(try store.find(x)?.blockedBy == [y, z])

        let closing = try h.orange(["task", "update", x.rawValue, "--blocked-by", w.rawValue])
        #expect(closing.exitCode == 1 && closing.stderr.contains("cycle: \(x) -> \(w) -> \(x)"), "\(closing.stderr)")
        // The graph lock file is orange's own: `orange doctor` does not report it.
        #expect(FileSystem.fileExists(h.home + "/tasks/coffee/.graph.lock"))
        let doctor = try h.orange(["doctor"])
        #expect(!doctor.stdout.contains(".graph.lock"), "\(doctor.stdout)")
    }
}
