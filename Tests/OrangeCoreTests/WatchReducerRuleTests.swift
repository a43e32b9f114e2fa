import OrangeCore
import Testing

/// One test per reducer rule (docs/watcher.md, "Rules"). S = 30 ms throughout.
@Suite struct WatchReducerRuleTests {
    let a = key("a")
    let b = key("b")

    // MARK: Rule 1: when to read

    @Test func completeWriteAndAppearedAreReadAtOnce() {
        var loop = FakeWatchLoop()
        loop.replace(a, .valid(1))
        loop.hints([file(a, .appeared)])
        #expect(loop.log.first?.action == .read(a))
        #expect(loop.batches.count == 1 && loop.batches[0].time == t0)
        loop.advance(by: ms(5))
        loop.clearLog()
        loop.replace(a, .valid(2))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.reads == [a])
        #expect(loop.batches.map(\.time) == [t0 + ms(5)])
        #expect(loop.graph[a] == .updated(contentHash: 2))
    }

    @Test func partialWriteWaitsForATrailingQuietPeriod() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        loop.writeInPlace(a, .valid(2))
        loop.hints([file(a, .partialWrite)])
        #expect(loop.reads.isEmpty)
        #expect(loop.reducer.nextDeadline == loop.now + ms(30))
        // Each new hint restarts the timer.
        loop.advance(by: ms(20))
        loop.hints([file(a, .partialWrite)])
        loop.advance(by: ms(29))
        #expect(loop.reads.isEmpty)
        loop.advance(by: ms(1))
        #expect(loop.reads == [a])
        #expect(loop.graph[a] == .updated(contentHash: 2))
    }

    @Test func removalsAttributesAndFolderChangesWaitTooAttributesOnlyStat() {
        var loop = FakeWatchLoop()
        loop.load([a: 1, b: 2])
        let start = loop.now
        loop.hints([
            file(a, .removed), .taskDirectory(project: "p", taskID: "c", change: .appeared), file(b, .attributes),
        ])
        #expect(loop.log.isEmpty)
        loop.advance(to: start + ms(29))
        #expect(loop.log.isEmpty)
        loop.advance(to: start + ms(30))
        #expect(Set(loop.reads) == [a, key("c")])
        #expect(loop.stats == [b])
        #expect(loop.log.allSatisfy { $0.time == start + ms(30) })
    }

    // MARK: Rule 2: unchanged content is skipped

    @Test func unchangedHashOrFingerprintCausesNoGraphChange() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        // Rewritten with the same bytes (new inode, new mtime): read, but no change.
        loop.replace(a, .valid(1))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.reads == [a])
        // Attributes with an unchanged fingerprint: a stat, never a read.
        loop.hints([file(a, .attributes)])
        loop.settle()
        #expect(loop.reads == [a])
        #expect(loop.stats == [a])
        #expect(loop.batches.isEmpty)
        #expect(loop.allowed.isEmpty)
        // A changed fingerprint on the stat leads to a read (and still no change if same content).
        loop.touch(a)
        loop.hints([file(a, .attributes)])
        loop.settle()
        #expect(loop.reads == [a, a])
        #expect(loop.batches.isEmpty)
    }

    // MARK: Rule 3: removals are believed only after quiet

    @Test func missingIsBelievedOnlyAfterTheQuietPeriod() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.remove(a)
        loop.hints([file(a, .removed)])
        // A complete write of something else in between does not speed the removal up.
        loop.advance(to: start + ms(10))
        loop.hints([file(a, .completeWrite)])  // stale hint: the read finds nothing yet
        #expect(loop.reads == [a])
        #expect(loop.batches.isEmpty)
        loop.settle()
        #expect(loop.batches.count == 1)
        #expect(loop.batches[0].changes == [a: .removed])
        #expect(loop.batches[0].time == start + ms(40))
    }

    @Test func reCreationWithinTheQuietPeriodIsNeverReportedRemoved() {
        var loop = FakeWatchLoop()
        loop.load([a: 1, b: 2])
        // git: DELETE, CREATE, MODIFY, CLOSE_WRITE, spread over 20 ms, a with new content, b same.
        loop.remove(a)
        loop.remove(b)
        loop.hints([file(a, .removed), file(b, .removed)])
        loop.advance(by: ms(10))
        loop.replace(a, .valid(3))
        loop.replace(b, .valid(2))
        loop.hints([file(a, .partialWrite), file(b, .partialWrite)])
        loop.advance(by: ms(10))
        loop.hints([file(a, .completeWrite), file(b, .completeWrite)])
        loop.settle()
        #expect(loop.batches.flatMap(\.changes.values).allSatisfy { $0 != .removed })
        #expect(loop.graph[a] == .updated(contentHash: 3))
        #expect(loop.graph[b] == .updated(contentHash: 2))
        #expect(loop.batches.count == 1)
    }

    // MARK: Rule 4: invalid files

    @Test func invalidKeepsLastGoodStateReportsOncePerReasonAndRetries() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        loop.replace(a, .invalid(line: 3, reason: "bad indent"))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.map(\.changes) == [[a: .invalid(line: 3, reason: "bad indent")]])
        // The same reason again: no second diagnostic, but the file is re-read on every hint.
        loop.advance(by: ms(50))
        loop.replace(a, .invalid(line: 3, reason: "bad indent"))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.reads.count == 2)
        #expect(loop.batches.count == 1)
        // A different reason is a new diagnostic.
        loop.replace(a, .invalid(line: 7, reason: "unterminated front matter"))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.last?.changes == [a: .invalid(line: 7, reason: "unterminated front matter")])
        // No actions while invalid; fixing it back to the last good content clears the diagnostic.
        loop.advance(by: ms(100))
        #expect(loop.allowed.isEmpty)
        loop.replace(a, .valid(1))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.last?.changes == [a: .updated(contentHash: 1)])
        loop.settle()
        #expect(loop.allowed.map(\.key) == [a])
    }

    @Test func unreadableFileKeepsStateAndWarnsOncePerReason() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        loop.hints([file(a, .completeWrite)])
        let actions = loop.reducer.handle(.fileRead(a, .unreadable(reason: "EACCES")), now: loop.now)
        #expect(actions == [.diagnostic("p/a/TASK.md: cannot read: EACCES")])
        #expect(loop.reducer.handle(.fileRead(a, .unreadable(reason: "EACCES")), now: loop.now).isEmpty)
        #expect(loop.batches.isEmpty)
    }

    // MARK: Rule 5: storm mode

    @Test func vcsLockHoldsChangesUntilReleasedAndQuiet() {
        var loop = FakeWatchLoop()
        loop.load([a: 1, b: 2])
        let start = loop.now
        loop.send(.vcsLock(present: true))
        #expect(loop.reducer.state.isStorming)
        loop.replace(a, .valid(3))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.reads.isEmpty)  // held: the checkout is still writing
        loop.advance(to: start + ms(300))
        loop.replace(b, .valid(4))
        loop.hints([file(b, .completeWrite)])
        loop.advance(to: start + ms(500))
        #expect(loop.batches.isEmpty)  // the lock is still there
        loop.send(.vcsLock(present: false))  // last hint 200 ms ago: the storm ends now
        #expect(loop.batches.count == 1)
        #expect(loop.batches[0].changes == [a: .updated(contentHash: 3), b: .updated(contentHash: 4)])
        #expect(loop.batches[0].time == start + ms(500))
    }

    @Test func aBurstOfHintsStartsAStormThatEndsAfter100msQuiet() {
        var loop = FakeWatchLoop()
        let keys = (0..<60).map { key("t\($0)") }
        loop.load(Dictionary(uniqueKeysWithValues: keys.map { ($0, UInt64(1)) }))
        let start = loop.now
        // Six watcher batches of ten complete writes at the same moment.
        for chunk in 0..<6 {
            let batch = keys[(chunk * 10)..<(chunk * 10 + 10)]
            for key in batch { loop.replace(key, .valid(2)) }
            loop.hints(batch.map { file($0, .completeWrite) })
            #expect(loop.reducer.state.isStorming == (chunk == 5))
        }
        #expect(loop.reads.count == 50)  // until the 51st hint, reads went out at once
        #expect(loop.batches.count == 5)  // one per watcher batch
        loop.settle()
        #expect(loop.batches.count == 6)  // the storm's ten together
        #expect(loop.batches.last?.time == start + ms(100))
        #expect(loop.batches.last?.changes.count == 10)
    }

    @Test func aStormNeverHoldsLongerThanTheCap() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.send(.vcsLock(present: true))
        // A hint every 50 ms for 3 s, lock held throughout: a batch at least every second.
        var hash: UInt64 = 10
        while loop.now < start + ms(3_000) {
            hash += 1
            loop.replace(a, .valid(hash))
            loop.hints([file(a, .completeWrite)])
            loop.advance(by: ms(50))
        }
        let times = loop.batches.map(\.time)
        #expect(times.count >= 2)
        #expect(times.first! <= start + ms(1_000))
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later - earlier <= ms(1_050)) }
    }

    // MARK: Rule 6: the action gate

    @Test func actionsWaitForSWithoutPendingWork() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.replace(a, .valid(2))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.map(\.time) == [start])
        loop.advance(to: start + ms(20))
        // A partial write arrives before the gate opens: the gate waits for its read, and since
        // the file was written again (same bytes), stability is measured from that read.
        loop.writeInPlace(a, .valid(2))
        loop.hints([file(a, .partialWrite)])
        loop.advance(to: start + ms(79))
        #expect(loop.reads.count == 2)
        #expect(loop.batches.count == 1)
        #expect(loop.allowed.isEmpty)
        loop.advance(to: start + ms(80))
        #expect(loop.allowed.map(\.key) == [a])
        #expect(loop.allowed.first?.time == start + ms(80))
        // Nothing new: no second opening.
        loop.advance(by: ms(1_000))
        #expect(loop.allowed.count == 1)
    }

    @Test func aReadThatIsNeverAnsweredKeepsTheGateShut() {
        var loop = FakeWatchLoop()
        loop.load([a: 1, b: 1])
        loop.replace(a, .valid(2))
        loop.hints([file(a, .completeWrite)])
        loop.answerReads = false
        loop.replace(b, .valid(2))
        loop.hints([file(b, .completeWrite)])
        loop.advance(by: ms(100))
        #expect(loop.allowed.map(\.key) == [a])
        loop.answerReads = true
        loop.send(.fileRead(b, loop.readResult(b)))
        loop.advance(by: ms(30))
        #expect(loop.allowed.map(\.key) == [a, b])
    }

    // MARK: Rule 7: overflow and resync backoff

    @Test func overflowsInARowGiveOneResyncThenBackOff() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        let start = loop.now
        loop.hints([.overflow, .overflow])
        #expect(loop.resyncs == 1)
        #expect(loop.reducer.state.overflowCount == 2)
        #expect(loop.diagnostics.count == 1)
        loop.advance(to: start + ms(10))
        loop.hints([.overflow])
        #expect(loop.resyncs == 1)
        #expect(loop.reducer.nextDeadline == start + ms(100))
        loop.hints([.rescan(path: "tasks"), .overflow])  // coalesced with the scheduled one
        loop.advance(to: start + ms(100))
        #expect(loop.resyncs == 2)
        // Backoff doubles: the next is 200 ms after the second.
        loop.hints([.overflow])
        loop.advance(to: start + ms(299))
        #expect(loop.resyncs == 2)
        loop.advance(to: start + ms(300))
        #expect(loop.resyncs == 3)
        #expect(loop.log.filter { $0.action == .fullResync }.map(\.time) == [start, start + ms(100), start + ms(300)])
        // After 10 s without one, the next runs at once again.
        loop.advance(to: start + ms(10_400))
        loop.hints([.overflow])
        #expect(loop.resyncs == 4)
        #expect(loop.batches.isEmpty)  // nothing changed: the resync's reads found the same content
    }

    @Test func resyncBackoffIsCappedAtTenSeconds() {
        var loop = FakeWatchLoop()
        var times: [UInt64] = []
        for _ in 0..<12 {
            loop.hints([.overflow])
            loop.settle(limit: ms(20_000))
            times = loop.log.filter { $0.action == .fullResync }.map(\.time)
        }
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect(gaps.prefix(4) == [ms(100), ms(200), ms(400), ms(800)])
        #expect(gaps.max() == ms(10_000))
    }

    @Test func resyncRemovesTasksItDidNotFindAndFindsNewOnes() {
        var loop = FakeWatchLoop()
        loop.load([a: 1, b: 2])
        let c = key("c")
        // Events lost: a deleted, c created, b changed; only the overflow arrives.
        loop.remove(a)
        loop.replace(c, .valid(5))
        loop.replace(b, .valid(6))
        loop.hints([.overflow])
        loop.settle()
        #expect(loop.resyncs == 1)
        #expect(loop.graph == [a: .removed, b: .updated(contentHash: 6), c: .updated(contentHash: 5)])
        #expect(loop.batches.count == 2)  // found ones at once, the missing one after S
    }

    // MARK: Rule 8: sweeps

    @Test func periodicSweepFindsChangesEventsMissed() {
        var loop = FakeWatchLoop(configuration: WatchConfiguration(sweepInterval: ms(30_000)))
        loop.load([a: 1, b: 2])
        #expect(loop.reducer.nextDeadline == t0 + ms(30_000))
        // An mmap write and a hard-link deletion: no events at all.
        loop.writeInPlace(a, .valid(7))
        loop.remove(b)
        loop.advance(to: t0 + ms(30_000))
        #expect(loop.sweeps == 1)
        #expect(loop.reads == [a])
        loop.settle()
        #expect(loop.graph == [a: .updated(contentHash: 7), b: .removed])
        #expect(loop.reducer.nextDeadline == t0 + ms(60_000))
        // The next sweep finds nothing changed: stats only, no reads, no batch.
        loop.clearLog()
        loop.advance(to: t0 + ms(60_000))
        #expect(loop.sweeps == 1 && loop.reads.isEmpty && loop.batches.isEmpty)
    }

    @Test func sweepRequestsCoalesceWhileOneRuns() {
        var reducer = WatchReducer(now: t0)
        #expect(reducer.handle(.sweepRequested, now: t0) == [.sweep])
        #expect(reducer.handle(.sweepRequested, now: t0 + 1).isEmpty)
        #expect(reducer.handle(.sweepFinished, now: t0 + 2).isEmpty)
        #expect(reducer.handle(.sweepRequested, now: t0 + 3) == [.sweep])
        #expect(reducer.state.sweepCount == 2)
    }

    // MARK: Rule 9: the next deadline

    @Test func nextDeadlineIsTheEarliestOfEveryTimer() {
        var reducer = WatchReducer(configuration: WatchConfiguration(sweepInterval: ms(1_000)), now: t0)
        #expect(reducer.nextDeadline == t0 + ms(1_000))
        _ = reducer.handle(.hints([file(a, .removed)]), now: t0)
        #expect(reducer.nextDeadline == t0 + ms(30))
        _ = reducer.handle(.hints([file(b, .partialWrite)]), now: t0 + ms(10))
        _ = reducer.handle(.hints([file(a, .partialWrite)]), now: t0 + ms(20))
        #expect(reducer.nextDeadline == t0 + ms(40))  // b's; a was restarted to 50
        _ = reducer.handle(.vcsLock(present: true), now: t0 + ms(25))
        #expect(reducer.nextDeadline == t0 + ms(40))
        _ = reducer.handle(.tick, now: t0 + ms(50))  // both timers hand their reads to the storm
        #expect(reducer.nextDeadline == t0 + ms(1_000))  // storm cap (t0+25+1000) vs sweep
        _ = reducer.handle(.vcsLock(present: false), now: t0 + ms(60))
        #expect(reducer.nextDeadline == t0 + ms(125))  // 100 ms after the storm's start (no hint since)
        #expect(reducer.handle(.tick, now: t0 + ms(125)) == [.read(a), .read(b)])
    }

    @Test func manyPendingTimersStayCheapAndBounded() {
        var reducer = WatchReducer(configuration: WatchConfiguration(stormHintThreshold: 1_000_000), now: t0)
        let keys = (0..<2_000).map { key("t\($0)") }
        // 20 restarts of every key's timer, interleaved.
        for round in 0..<20 {
            let now = t0 + UInt64(round) * ms(1)
            for key in keys { _ = reducer.handle(.hints([file(key, .partialWrite)]), now: now) }
        }
        #expect(reducer.state.timerEntryCount <= 4 * keys.count + 1_024)
        #expect(reducer.nextDeadline == t0 + ms(19) + ms(30))
        let actions = reducer.handle(.tick, now: t0 + ms(49))
        #expect(actions.count == keys.count)
    }
}
