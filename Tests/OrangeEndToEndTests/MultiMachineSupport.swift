import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// Several machines on this one: each its own ORANGE_HOME, tmux server, pool and engine
/// (`orange watch` as a process), sharing a bare remote for the tasks and a bare origin for the
/// code, as docs/multi-machine.md describes. Scripted agents call plain `orange` from PATH.
final class MachineCluster {
    let machines: [OrangeHarness]
    let names: [String]
    let tasksRemote: String
    let codeOrigin: String
    let logDirectory: String
    var engines: [String?]
    static let project = "shared"

    /// Commits its work and asks for review; a task whose description says `hang` never reports;
    /// one whose description says `nest2` or `nest1` delegates instead (to a `nest1` and a leaf, or to two leaves). Every start is written
    /// down whole (temp + rename) as `ran-<task>-<machine>`. It waits for the cluster's `go` file
    /// first (`holdAgents`), polling.
    static let agent = #"""
        #!/bin/sh
        log="$1"
        id="$ORANGE_TASK_ID"
        machine=$(cat "$ORANGE_HOME/machine-id")
        : > "$log/.ran-$id-$machine.tmp"; mv "$log/.ran-$id-$machine.tmp" "$log/ran-$id-$machine"
        while [ ! -e "$log/go" ]; do sleep 0.05; done
        if grep -q 'hang' TASK.md; then
            exec sleep 600
        fi
        if grep -q 'nest2' TASK.md; then
            orange task create "n1-$id" "nest1" > /dev/null
            orange task create "lf-$id" "leaf" > /dev/null
            orange task update --status delegated > /dev/null
            exec sleep 600
        fi
        if grep -q 'nest1' TASK.md; then
            orange task create "la-$id" "leaf" > /dev/null
            orange task create "lb-$id" "leaf" > /dev/null
            orange task update --status delegated > /dev/null
            exec sleep 600
        fi
        echo "work of $id" > "work-$id.txt"
        git add "work-$id.txt"
        git -c user.name=agent -c user.email=agent@orange.invalid commit -q -m "work for $id"
        orange task update --status reviewing > /dev/null 2> "$log/.err-$id" || mv "$log/.err-$id" "$log/err-$id"
        exec sleep 600
        """#

    /// `shareProject`: only `tasks/<project>` is shared (`sync init -p`), not the whole `tasks/`.
    init(count: Int, poolSize: Int = 2, shareProject: Bool = false) throws {
        machines = try (0..<count).map { _ in try OrangeHarness(tmux: true) }
        names = (1...count).map { "m\($0)" }
        engines = Array(repeating: nil, count: count)
        let first = machines[0]
        tasksRemote = first.directory.path + "/tasks-remote.git"
        codeOrigin = first.directory.path + "/code-origin.git"
        logDirectory = first.directory.path + "/agents"
        try FileSystem.makeDirectories(logDirectory)
        try releaseAgents()
        let runner = first.runner
        try runner.check(["git", "init", "-q", "--bare", "-b", "main", tasksRemote])
        try runner.check(["git", "init", "-q", "--bare", "-b", "main", codeOrigin])
        let seed = first.directory.path + "/seed"
        try runner.check(["git", "clone", "-q", codeOrigin, seed], environment: first.environment)
        try runner.check(["git", "-C", seed, "commit", "-q", "--allow-empty", "-m", "initial"], environment: first.environment)
        try runner.check(["git", "-C", seed, "push", "-q", "origin", "HEAD:main"], environment: first.environment)
        for (index, h) in machines.enumerated() {
            try FileSystem.makeDirectories(h.home)
            try AtomicFile.write(names[index] + "\n", to: h.home + "/machine-id")
            try AtomicFile.write(Self.agent, to: h.directory.path + "/agent.sh", mode: 0o755)
            try AtomicFile.write(
                #"{"harnesses": {"script": {"command": ["sh", "\#(h.directory.path)/agent.sh", "\#(logDirectory)"]}}}"#,
                to: h.home + "/config.json")
            let repo = h.directory.path + "/code"
            try runner.check(["git", "clone", "-q", codeOrigin, repo], environment: h.environment)
            try runner.check(["git", "-C", repo, "remote", "set-head", "origin", "main"])
            _ = try h.json(["project", "add", repo, "--name", Self.project, "--pool-size", String(poolSize)])
            _ = try h.json(["sync", "init", "--remote", tasksRemote] + (shareProject ? ["--project", Self.project] : []))
        }
    }

    func repo(_ index: Int) -> String { machines[index].directory.path + "/code" }

    /// Agents started from now on wait, once they have written down their start, until
    /// `releaseAgents`: a machine whose engine starts first then holds its pool's tasks and
    /// cannot run through the whole graph before the other engines are up.
    func holdAgents() throws { try FileSystem.removeTree(logDirectory + "/go") }

    /// Lets every agent run (the cluster starts so).
    func releaseAgents() throws { try AtomicFile.write("", to: logDirectory + "/go") }

    func stopAll() {
        for index in machines.indices { stopEngine(index) }
        for h in machines { h.killTmuxServer() }
    }

    /// `orange watch` for machine `index`, in its own process session, with a short sync interval.
    func startEngine(_ index: Int, environment extra: [String: String] = [:], waitForIt: Bool = true) throws {
        let h = machines[index]
        let variables = extra.map { ShellQuoting.quote($0.key + "=" + $0.value) }.joined(separator: " ")
        let command =
            "cd \(ShellQuoting.quote(repo(index))) && exec env \(variables) \(ShellQuoting.quote(OrangeHarness.binary)) watch --sweep-interval 1 --sync-interval 0.2"
        let pid = try h.runner.check(
            [
                "sh", "-c",
                "setsid sh -c \(ShellQuoting.quote(command)) >> \(ShellQuoting.quote(h.directory.path + "/watch.log")) 2>&1 & echo $!",
            ],
            environment: h.environment
        ).stdout.trimmingSpaces()
        engines[index] = pid
        // An engine starting with tasks ready claims (a push each) and spawns before it answers
        // its first `watch sync`; three of them on a loaded CI machine took over 20 s once.
        if waitForIt { try h.waitUntilTheEngineAnswers(timeout: 90) }
    }

    /// Waits until machine `index`'s engine process is gone (a crash point killed it).
    func waitUntilEngineDies(_ index: Int, timeout: Double = 60) -> Bool {
        guard let pid = engines[index] else { return true }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            if (try? machines[index].runner.run(["kill", "-0", pid]))?.exitCode != 0 {
                engines[index] = nil
                return true
            }
            clock.sleep(milliseconds: 20)  // a poll interval, not a wait for the outcome
        }
        return false
    }

    /// Polls `condition` every 50 ms until it holds or the deadline passes.
    func waitFor(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            if try condition() { return true }
            clock.sleep(milliseconds: 50)  // a poll interval, not a wait for the outcome
        }
        return try condition()
    }

    func stopEngine(_ index: Int) {
        guard let pid = engines[index] else { return }
        machines[index].stopWatch(pid)
        engines[index] = nil
    }

    /// The tasks as machine `index` has them on disk.
    func tasks(on index: Int) -> [TaskRecord] {
        let store = FileTaskStore(layout: DataDirectory(home: machines[index].home))
        return (try? store.scanWithoutBodies(project: nil).tasks) ?? []
    }

    /// Each `ran-<task>-<machine>` file: which machine started an agent for which task.
    func agentStarts() -> [(task: String, machine: String)] {
        ((try? FileSystem.listDirectory(logDirectory)) ?? []).compactMap { name in
            guard name.hasPrefix("ran-") else { return nil }
            let parts = name.dropFirst(4).split(separator: "-")
            guard parts.count == 2, name.hasPrefix("ran-") else { return nil }
            return (String(parts[0]), String(parts[1]))
        }
    }

    /// Acts as the person of each machine: approves and merges every task in review that the
    /// machine runs (its worktree is there), one at a time. Returns how many it merged.
    @discardableResult
    func mergeReviewed() throws -> Int {
        var merged = 0
        for (index, h) in machines.enumerated() {
            for task in tasks(on: index) where task.status == .reviewing && task.claimedBy == names[index] {
                let approve = try h.orange(["task", "approve", task.id.rawValue], in: repo(index))
                guard approve.exitCode == 0 else { continue }
                let merge = try h.orange(["task", "merge", task.id.rawValue], in: repo(index))
                #expect(merge.exitCode == 0, "merge of \(task.id) on \(names[index]): \(merge.stderr)")
                merged += 1
            }
        }
        return merged
    }

    /// Runs the people's side until every task is done on every machine, or the deadline.
    func runToTheEnd(expected: Int, timeout: Double) throws -> Bool {
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + UInt64(timeout * 1e9)
        while clock.monotonicNanoseconds() < deadline {
            try mergeReviewed()
            if machines.indices.allSatisfy({ index in
                let all = tasks(on: index)
                return all.count == expected && all.allSatisfy { $0.status == .done }
            }) {
                return true
            }
            clock.sleep(milliseconds: 100)  // a poll interval, not a wait for the outcome
        }
        return false
    }

    /// Each machine's `orange watch` output and the last engine and sync lines of its log (why a
    /// ready task was not spawned, rejected claim pushes, sync rounds).
    var logs: String {
        machines.enumerated().map { index, h in
            let log = ((try? FileSystem.readText(h.home + "/orange.log")) ?? "").split(separator: "\n")
                .filter { $0.contains(#""component":"engine""#) || $0.contains(#""component":"sync""#) }.suffix(40)
            return "--- \(names[index]) watch.log:\n" + h.watchLog.suffix(4000) + "--- \(names[index]) orange.log (engine, sync):\n"
                + log.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The distinct `agent.spawned` lines of a task, across every machine's history.
    func spawnLines(_ id: TaskID) -> Set<String> {
        var lines: Set<String> = []
        for h in machines {
            let path = "\(h.home)/tasks/\(Self.project)/\(id)/history.jsonl"
            for line in ((try? FileSystem.readText(path)) ?? "").split(separator: "\n") where line.contains("\"agent.spawned\"") {
                lines.insert(String(line))
            }
        }
        return lines
    }
}
