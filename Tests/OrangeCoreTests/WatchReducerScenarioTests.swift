import OrangeCore
import Testing

/// Whole editing and VCS sequences, as the watcher reports them (reliability reference §1 table).
@Suite struct WatchReducerScenarioTests {
    let a = key("a")

    /// F1: write a temp file, rename it over TASK.md: one read at once, one batch, actions S later.
    @Test func renameOverSaveIsOneReadOneBatchAndActionsExactlySLater() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.replace(a, .valid(2))
        loop.hints([file(a, .completeWrite)])  // MOVED_TO TASK.md; the temp name is filtered out
        #expect(loop.reads == [a])
        #expect(loop.batches.count == 1)
        #expect(loop.batches[0].time == start)
        #expect(loop.batches[0].changes == [a: .updated(contentHash: 2)])
        loop.advance(by: ms(29))
        #expect(loop.allowed.isEmpty)
        loop.advance(by: ms(1))
        #expect(loop.allowed.map(\.time) == [start + ms(30)])
        loop.advance(by: ms(10_000))
        #expect(loop.reads.count == 1 && loop.batches.count == 1 && loop.allowed.count == 1)
    }

    /// F2(a): open r+, truncate, three writes 30 ms apart, close: at most two reads, one batch with
    /// the final content, no diagnostic for the half-written states, and no action before the
    /// final content is S old. Timers tick exactly at their deadlines (the worst case).
    @Test func truncateThreeWritesAndCloseGiveOneFinalBatch() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.writeInPlace(a, .invalid(line: 1, reason: "empty file"))
        loop.hints([file(a, .partialWrite)])
        loop.advance(to: start + ms(30))
        loop.writeInPlace(a, .invalid(line: 4, reason: "unterminated front matter"))
        loop.hints([file(a, .partialWrite)])
        loop.advance(to: start + ms(60))
        loop.writeInPlace(a, .valid(50))  // valid YAML, body still incomplete
        loop.hints([file(a, .partialWrite)])
        loop.advance(to: start + ms(90))
        loop.writeInPlace(a, .valid(99))
        loop.hints([file(a, .partialWrite)])
        loop.advance(to: start + ms(95))
        loop.hints([file(a, .completeWrite)])
        loop.settle()
        #expect(loop.reads.count <= 2)
        #expect(loop.batches.count == 1)
        #expect(loop.batches.first?.changes == [a: .updated(contentHash: 99)])
        #expect(loop.allowed.map(\.time) == [start + ms(125)])
    }

    /// F2(b): a writer keeps the fd open (no CLOSE_WRITE): the change is read S after the last write.
    @Test func writerHoldingTheFileOpenIsReadAfterS() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.writeInPlace(a, .valid(5))
        loop.hints([file(a, .partialWrite)])
        loop.settle()
        #expect(loop.batches.map(\.time) == [start + ms(30)])
    }

    /// F2(c): `echo a > f; echo b >> f`: two closes, the graph may show both, the action gate
    /// opens only for the final content.
    @Test func twoClosesInARowOpenTheGateOnlyForTheFinalContent() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.writeInPlace(a, .valid(2))
        loop.hints([file(a, .partialWrite)])
        loop.hints([file(a, .completeWrite)])
        loop.advance(to: start + ms(20))
        loop.writeInPlace(a, .valid(3))
        loop.hints([file(a, .partialWrite)])
        loop.hints([file(a, .completeWrite)])
        loop.settle()
        #expect(loop.batches.map(\.changes) == [[a: .updated(contentHash: 2)], [a: .updated(contentHash: 3)]])
        #expect(loop.allowed.map(\.time) == [start + ms(50)])
    }

    /// F11: a checkout: 150 tasks modified (DELETE, CREATE, MODIFY, CLOSE_WRITE), 50 new task
    /// folders, 30 removed, over 20 ms in watcher batches of about 50 hints.
    @Test(arguments: [true, false])
    func gitCheckoutStormIsAtMostThreeBatches(lockReported: Bool) {
        var loop = FakeWatchLoop()
        let modified = (0..<150).map { key("m\($0)") }
        let removed = (0..<30).map { key("r\($0)") }
        let created = (0..<50).map { key("n\($0)") }
        var initial: [TaskKey: UInt64] = [:]
        for key in modified + removed { initial[key] = 1 }
        loop.load(initial)
        let start = loop.now
        if lockReported { loop.send(.vcsLock(present: true)) }

        var pending: [WatchHint] = []
        func flush(_ loop: inout FakeWatchLoop) {
            guard pending.count >= 50 else { return }
            loop.hints(pending)
            pending.removeAll()
            loop.advance(by: ms(1))
        }
        for key in modified {
            loop.remove(key)
            pending.append(file(key, .removed))
            loop.replace(key, .valid(2))
            pending += [file(key, .partialWrite), file(key, .partialWrite), file(key, .completeWrite)]
            flush(&loop)
        }
        for key in created {
            pending.append(.taskDirectory(project: key.project, taskID: key.taskID, change: .appeared))
            loop.replace(key, .valid(3))
            pending += [file(key, .partialWrite), file(key, .completeWrite)]
            flush(&loop)
        }
        for key in removed {
            loop.remove(key)
            pending += [file(key, .removed), .taskDirectory(project: key.project, taskID: key.taskID, change: .removed)]
            flush(&loop)
        }
        loop.hints(pending)
        if lockReported {
            loop.advance(by: ms(2))
            loop.send(.vcsLock(present: false))
        }
        loop.settle()

        #expect(loop.batches.count <= 3)
        #expect(loop.reducer.state.stormCount >= 1)
        for batch in loop.batches {
            for key in modified { #expect(batch.changes[key] != .removed) }
        }
        #expect(loop.batches.allSatisfy { $0.time <= start + ms(1_000) })
        var expected: [TaskKey: TaskChange] = [:]
        for key in modified { expected[key] = .updated(contentHash: 2) }
        for key in created { expected[key] = .updated(contentHash: 3) }
        for key in removed { expected[key] = .removed }
        #expect(loop.graph == expected)
        // Every task was read at most twice (one storm read; a few before the storm began).
        #expect(loop.reads.count <= 2 * (modified.count + created.count + removed.count))
    }

    /// F16: orange's own writes, atomic or in place, cause no batch and no action; a later user
    /// edit back to the previous content is still reported.
    @Test func orangesOwnWritesCauseNoWork() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        loop.selfWrite(a, 2)
        loop.advance(by: ms(5))
        // In place: truncate (MODIFY) then write and close.
        loop.recordSelfWrite(a, 3)
        loop.writeInPlace(a, .valid(3))
        loop.hints([file(a, .partialWrite), file(a, .attributes), file(a, .completeWrite)])
        loop.settle()
        #expect(loop.batches.isEmpty)
        #expect(loop.allowed.isEmpty)
        // The expectation was used up: a user restoring content 2 is a real change.
        loop.replace(a, .valid(2))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.map(\.changes) == [[a: .updated(contentHash: 2)]])
    }

    /// F16, the other side: orange's write did not land (or a user's edit won the race): what is
    /// on disk differs from what the engine holds, and is reported, even with no event at all.
    @Test func aSelfWriteThatDidNotLandIsCorrectedAfterS() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.recordSelfWrite(a, 2)  // the engine now holds 2; the disk still has 1
        loop.settle()
        #expect(loop.batches.map(\.time) == [start + ms(30)])
        #expect(loop.graph[a] == .updated(contentHash: 1))
        // A user edit racing orange's write: the user's content wins and is reported.
        loop.clearLog()
        loop.replace(a, .valid(2))
        loop.recordSelfWrite(a, 2)
        loop.replace(a, .valid(9))
        loop.hints([file(a, .completeWrite), file(a, .completeWrite)])
        loop.settle()
        #expect(loop.graph[a] == .updated(contentHash: 9))
    }

    /// F18: 1000 TASK.md files have only their attributes changed: no batch, no action, and no
    /// read when the fingerprint is unchanged (chmod); reads but no batch when it changed (touch).
    @Test(arguments: [false, true])
    func attributeChangesOn1000FilesChangeNothing(mtimeChanges: Bool) {
        var loop = FakeWatchLoop()
        let keys = (0..<1_000).map { key("t\($0)", "p\($0 % 7)") }
        loop.load(Dictionary(uniqueKeysWithValues: keys.map { ($0, UInt64(7)) }))
        for chunk in stride(from: 0, to: keys.count, by: 100) {
            var hints: [WatchHint] = []
            for key in keys[chunk..<(chunk + 100)] {
                if mtimeChanges { loop.touch(key) }
                hints.append(file(key, .attributes))
                if mtimeChanges { hints.append(file(key, .completeWrite)) }
            }
            loop.hints(hints)
            loop.advance(by: ms(1))
        }
        loop.settle()
        #expect(loop.batches.isEmpty)
        #expect(loop.allowed.isEmpty)
        #expect(loop.reads.count == (mtimeChanges ? keys.count : 0))
    }

    /// F9/F10: an overflow while the resync runs leads to one more resync after the backoff, and
    /// the resyncs' own reads (which raise no events) never ask for another.
    @Test func overflowDuringAResyncIsOneMoreAfterBackoff() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        // The reducer alone from here (a copy of the loop's), to answer each request by hand.
        var reducer = loop.reducer
        let first = reducer.handle(.hints([.overflow]), now: start)
        #expect(first.first == .fullResync)
        #expect(reducer.handle(.hints([.overflow]), now: start + ms(1)).isEmpty)
        let finished = reducer.handle(.resyncFinished, now: start + ms(2))
        #expect(finished.isEmpty)  // a was not listed: re-read after S; the next resync waits
        #expect(reducer.nextDeadline == start + ms(32))
        let read = reducer.handle(.tick, now: start + ms(32))
        #expect(read == [.read(a)])
        #expect(reducer.handle(.fileRead(a, loop.readResult(a)), now: start + ms(33)).isEmpty)
        #expect(reducer.handle(.tick, now: start + ms(100)).first == .fullResync)
        #expect(reducer.state.resyncCount == 2)
    }

    /// F14: a symlinked workspace TASK.md replaced by `sed -i` changes nothing in the task tree;
    /// here the user then edits the real file without events (hard link): the sweep finds it.
    @Test func changeWithoutEventsIsFoundByTheNextSweepOnly() {
        var loop = FakeWatchLoop(configuration: WatchConfiguration(sweepInterval: ms(2_000)))
        loop.load([a: 1])
        loop.writeInPlace(a, .valid(8))
        loop.advance(to: t0 + ms(1_999))
        #expect(loop.batches.isEmpty)
        loop.advance(to: t0 + ms(2_000))
        #expect(loop.batches.map(\.changes) == [[a: .updated(contentHash: 8)]])
    }
}
