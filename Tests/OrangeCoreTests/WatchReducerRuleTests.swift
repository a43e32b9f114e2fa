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

    /// F6/F7: a project folder renamed: the watcher reports the old folders removed and scans the
    /// new name. The new keys are read at once; the old ones are removed after S. A removed project
    /// alone (no per-task hints) re-reads only that project's tasks.
    @Test func projectRenameAndRemovalTouchOnlyThatProject() {
        var loop = FakeWatchLoop()
        let old = [key("a", "p"), key("b", "p")]
        let new = [key("a", "q"), key("b", "q")]
        let other = key("c", "r")
        loop.load([old[0]: 1, old[1]: 2, other: 3])
        let start = loop.now
        loop.remove(old[0])
        loop.remove(old[1])
        loop.replace(new[0], .valid(1))
        loop.replace(new[1], .valid(2))
        loop.hints(
            [.projectDirectory(project: "p", change: .removed)]
                + old.map { .taskDirectory(project: $0.project, taskID: $0.taskID, change: .removed) }
                + [.projectDirectory(project: "q", change: .appeared)]
                + new.flatMap { [.taskDirectory(project: $0.project, taskID: $0.taskID, change: .appeared), file($0, .appeared)] })
        #expect(loop.batches.map(\.changes) == [[new[0]: .updated(contentHash: 1), new[1]: .updated(contentHash: 2)]])
        loop.settle()
        #expect(loop.batches.last?.changes == [old[0]: .removed, old[1]: .removed])
        #expect(loop.batches.last?.time == start + ms(30))
        #expect(!loop.reads.contains(other))
        // Only the project hint: every known task of q is re-read after S, nothing else.
        loop.clearLog()
        loop.remove(new[0])
        loop.remove(new[1])
        loop.hints([.projectDirectory(project: "q", change: .removed)])
        loop.settle()
        #expect(Set(loop.reads) == Set(new))
        #expect(loop.graph[new[0]] == .removed && loop.graph[new[1]] == .removed)
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

    @Test func aFileFoundHalfWrittenByAScanIsNotReportedInvalid() {
        var loop = FakeWatchLoop()
        // A new folder's scan finds TASK.md created and not written yet.
        loop.replace(a, .invalid(line: 1, reason: "missing front matter"))
        loop.hints([file(a, .appeared)])
        #expect(loop.reads == [a])
        #expect(loop.batches.isEmpty)
        // Its writer closes it: a complete write, read at once, and the task is simply added.
        loop.advance(by: ms(1))
        loop.replace(a, .valid(1))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.map(\.changes) == [[a: .updated(contentHash: 1)]])
        // A file found by a scan that really is invalid is reported once it reads the same twice.
        loop.replace(b, .invalid(line: 2, reason: "bad indent"))
        loop.hints([file(b, .appeared)])
        #expect(loop.batches.count == 1)
        loop.settle()
        #expect(loop.reads(of: b) == 2)
        #expect(loop.batches.last?.changes == [b: .invalid(line: 2, reason: "bad indent")])
    }

    @Test func unreadableFileKeepsStateAndWarnsOncePerReason() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        loop.hints([file(a, .completeWrite)])
        // The reducer alone from here (a copy of the loop's), to answer the read by hand.
        var reducer = loop.reducer
        let actions = reducer.handle(.fileRead(a, .unreadable(reason: "EACCES")), now: loop.now)
        #expect(actions == [.diagnostic("p/a/TASK.md: cannot read: EACCES")])
        #expect(reducer.handle(.fileRead(a, .unreadable(reason: "EACCES")), now: loop.now).isEmpty)
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
        // The storm ends 100 ms after the release, however long ago the last hint was: the events
        // of git's last writes may be handled just after the release is seen.
        loop.send(.vcsLock(present: false))
        #expect(loop.batches.isEmpty)
        loop.replace(b, .valid(5))
        loop.hints([file(b, .completeWrite)])  // read after the release, still in the batch
        loop.advance(to: start + ms(600))
        #expect(loop.batches.count == 1)
        #expect(loop.batches[0].changes == [a: .updated(contentHash: 3), b: .updated(contentHash: 5)])
        #expect(loop.batches[0].time == start + ms(600))
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
}
