import OrangeCore
import OrangeTestSupport
import Testing

/// The second half of a write that takes two steps.
private enum LaterStep {
    /// The in-place writer's final content and close.
    case finishInPlace(TaskKey, UInt64)
    /// git re-creating a file it just deleted.
    case recreate(TaskKey, UInt64)
}

/// Random edit sequences on 50 tasks (saves, in-place writes, git delete/re-create, deletes,
/// creates, touches, invalid files, writes without events, overflows that lose events, orange's
/// own writes, a VCS lock coming and going), checked against three invariants.
@Suite struct WatchReducerPropertyTests {
    static let quiet = WatchConfiguration().quietPeriod

    @Test(arguments: 0..<90)
    func randomEditSequencesKeepTheInvariants(seed: UInt64) {
        var rng = SeededRandom(state: seed &* 0x2545_F491_4F6C_DD1D &+ 1)
        func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        func newHash() -> UInt64 { rng.next() % 6 + 1 }  // few values: same-content writes happen

        // Dense (storms by rate), medium, and sparse (every edit settles alone) sequences.
        let maximumGap: UInt64 = [8, 40, 150][Int(seed % 3)]
        var loop = FakeWatchLoop(configuration: WatchConfiguration(sweepInterval: ms(3_000)))
        let keys = (0..<50).map { key("t\($0)", "p\($0 % 3)") }
        var initial: [TaskKey: UInt64] = [:]
        for key in keys where chance(70) { initial[key] = newHash() }
        loop.load(initial)

        /// Tasks whose content an operation changed (the others must cause no work at all).
        var contentChanged = Set<TaskKey>()
        /// File changes the watcher reported, with how many gate openings had happened before.
        var reportedChanges: [(time: UInt64, key: TaskKey, allowedBefore: Int)] = []
        var later: [(time: UInt64, step: LaterStep)] = []
        var lockHeld = false
        /// What happened to each task, for the failure message.
        var trace: [TaskKey: [String]] = [:]
        func note(_ key: TaskKey, _ what: String) { trace[key, default: []].append("\((loop.now - t0) / 1_000)us \(what)") }

        func noteReported(_ key: TaskKey) { reportedChanges.append((loop.now, key, loop.allowed.count)) }
        func run(_ step: LaterStep) {
            switch step {
            case .finishInPlace(let key, let hash):
                note(key, "finish in place \(hash)")
                loop.writeInPlace(key, .valid(hash))
                noteReported(key)
                loop.hints([file(key, .partialWrite), file(key, .completeWrite)])
            case .recreate(let key, let hash):
                note(key, "re-create \(hash)")
                if loop.files[key]?.content != .valid(hash) { contentChanged.insert(key) }
                loop.replace(key, .valid(hash))
                noteReported(key)
                loop.hints([file(key, .partialWrite), file(key, .partialWrite), file(key, .completeWrite)])
            }
        }
        func runLaterSteps(until time: UInt64) {
            later.sort { $0.time < $1.time }
            while let first = later.first, first.time <= time {
                later.removeFirst()
                loop.advance(to: first.time)
                run(first.step)
            }
        }

        for _ in 0..<300 {
            let gap = chance(20) ? 0 : ms(rng.next() % maximumGap)
            runLaterSteps(until: loop.now + gap)
            loop.advance(to: loop.now + gap)
            let key = pick(keys)
            let exists = loop.files[key] != nil
            let before = loop.files[key]?.content
            let operation = rng.next() % 12
            switch operation {
            case 0:  // save by rename
                let hash = newHash()
                loop.replace(key, .valid(hash))
                noteReported(key)
                loop.hints([file(key, .completeWrite)])
            case 1 where exists:  // truncate now, final content and close a little later
                loop.writeInPlace(key, .invalid(line: 1, reason: "empty file"))
                contentChanged.insert(key)
                noteReported(key)
                loop.hints([file(key, .partialWrite)])
                later.append((loop.now + ms(rng.next() % 45), .finishInPlace(key, newHash())))
            case 2 where exists:  // git: delete, re-create within a few ms (often the same content)
                let hash: UInt64
                if case .valid(let old) = before, chance(50) { hash = old } else { hash = newHash() }
                loop.remove(key)
                noteReported(key)
                loop.hints([file(key, .removed)])
                later.append((loop.now + ms(rng.next() % 5), .recreate(key, hash)))
            case 3 where exists:  // delete the task folder
                loop.remove(key)
                noteReported(key)
                loop.hints([file(key, .removed), .taskDirectory(project: key.project, taskID: key.taskID, change: .removed)])
            case 4 where !exists:  // new task folder
                loop.replace(key, .valid(newHash()))
                noteReported(key)
                loop.hints([
                    .taskDirectory(project: key.project, taskID: key.taskID, change: .appeared),
                    file(key, .partialWrite), file(key, .completeWrite),
                ])
            case 5 where exists:  // touch: ATTRIB, CLOSE_WRITE
                loop.touch(key)
                noteReported(key)
                loop.hints([file(key, .attributes), file(key, .completeWrite)])
            case 6 where exists:  // broken by hand
                loop.replace(key, .invalid(line: chance(50) ? 2 : 5, reason: pick(["bad indent", "no closing ---"])))
                noteReported(key)
                loop.hints([file(key, .completeWrite)])
            case 7 where exists:  // written without any event (mmap, hard link): only a sweep sees it
                loop.writeInPlace(key, .valid(newHash()))
            case 8 where exists:  // the events of a change are lost in an overflow
                if chance(50) { loop.writeInPlace(key, .valid(newHash())) } else { loop.remove(key) }
                loop.hints([.overflow])
            case 9 where exists:  // orange writes the task itself
                let hash = newHash()
                noteReported(key)
                loop.selfWrite(key, hash)
            case 10:
                lockHeld.toggle()
                loop.send(.vcsLock(present: lockHeld))
            case 11 where exists:  // rewritten with the same bytes
                let content = loop.files[key]!.content
                loop.replace(key, content)
                noteReported(key)
                loop.hints([file(key, .completeWrite)])
            default:
                break
            }
            if loop.files[key]?.content != before, !(before == nil && loop.files[key] == nil) {
                contentChanged.insert(key)
            }
            if case .some(.invalid) = loop.files[key]?.content { contentChanged.insert(key) }
            if operation != 10 {
                note(key, "op \(operation): \(String(describing: before)) -> \(String(describing: loop.files[key]?.content))")
            }
        }
        runLaterSteps(until: .max)
        if lockHeld { loop.send(.vcsLock(present: false)) }
        loop.send(.sweepRequested)
        loop.settle(limit: ms(60_000))
        #expect(loop.reducer.isSettled)

        func history(_ key: TaskKey) -> Comment {
            let actions = loop.log.filter { entry in
                switch entry.action {
                case .read(let k), .stat(let k): return k == key
                case .graphChanged(let changes): return changes[key] != nil
                case .actionsAllowed(let keys): return keys.contains(key)
                default: return true
                }
            }.map { "\(($0.time - t0) / 1_000)us \($0.action)" }
            let steps: String = (trace[key] ?? []).joined(separator: "\n")
            let recent: String = actions.suffix(40).joined(separator: "\n")
            return Comment(rawValue: "seed \(seed) \(key)\n\(steps)\n--\n\(recent)")
        }
        // 1. Once every deadline has passed, the graph holds every task's final content.
        for key in keys {
            switch loop.files[key]?.content {
            case nil: #expect(loop.graph[key] == nil || loop.graph[key] == .removed, history(key))
            case .valid(let hash): #expect(loop.graph[key] == .updated(contentHash: hash), history(key))
            case .invalid(let line, let reason):
                #expect(loop.graph[key] == .invalid(line: line, reason: reason), history(key))
            }
        }
        // 2. No gate opening within S of a change the watcher reported before it.
        for (index, opening) in loop.allowed.enumerated() {
            for change in reportedChanges where change.key == opening.key && change.allowedBefore <= index {
                #expect(opening.time >= change.time + Self.quiet, "seed \(seed) \(opening.key)")
            }
        }
        // 3. Tasks whose content never changed cause no batch entry and no gate opening.
        for key in keys where !contentChanged.contains(key) {
            #expect(loop.batches.allSatisfy { $0.changes[key] == nil }, history(key))
            #expect(!loop.allowed.contains { $0.key == key }, history(key))
        }
        #expect(loop.batches.allSatisfy { !$0.changes.isEmpty })
        #expect(loop.reducer.state.timerEntryCount <= 4 * keys.count + 1_024)
    }
}
