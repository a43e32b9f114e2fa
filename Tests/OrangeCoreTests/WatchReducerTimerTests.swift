import OrangeCore
import Testing

/// Rules 7–9: forced resyncs and their backoff, periodic sweeps, and the next deadline.
@Suite struct WatchReducerTimerTests {
    let a = key("a")
    let b = key("b")

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
        #expect(reducer.nextDeadline == t0 + ms(160))  // 100 ms after the release
        #expect(reducer.handle(.tick, now: t0 + ms(160)) == [.read(a), .read(b)])
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
