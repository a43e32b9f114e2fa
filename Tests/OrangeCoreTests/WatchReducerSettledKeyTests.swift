import OrangeCore
import Testing

/// `isSettled(key)`: the engine forgets a task's first-event time when it holds, so a hint that
/// changed nothing (a chmod, a touch, the same bytes again) never dates a later edit's latency.
@Suite struct WatchReducerSettledKeyTests {
    let a = key("a")

    @Test func aChmodATouchAndAnIdenticalRewriteEndSettled() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        #expect(loop.reducer.isSettled(a))

        // chmod: an attribute hint, a stat after S with the same fingerprint.
        loop.hints([file(a, .attributes)])
        #expect(!loop.reducer.isSettled(a), "the stat is still to come")
        loop.settle()
        #expect(loop.stats == [a] && loop.batches.isEmpty)
        #expect(loop.reducer.isSettled(a))

        // touch: a new mtime, so a read, which finds the same content.
        loop.touch(a)
        loop.hints([file(a, .attributes)])
        loop.settle()
        #expect(loop.reads == [a] && loop.batches.isEmpty)
        #expect(loop.reducer.isSettled(a))

        // The same bytes renamed over: read at once, no change.
        loop.replace(a, .valid(1))
        loop.hints([file(a, .completeWrite)])
        #expect(loop.batches.isEmpty)
        #expect(loop.reducer.isSettled(a))
    }

    @Test func aChangeIsNotSettledUntilItIsReported() {
        var loop = FakeWatchLoop()
        loop.load([a: 1])
        // Half written: the read waits for a quiet period.
        loop.writeInPlace(a, .valid(2))
        loop.hints([file(a, .partialWrite)])
        #expect(!loop.reducer.isSettled(a))
        loop.settle()
        #expect(loop.batches.map(\.changes) == [[a: .updated(contentHash: 2)]])
        #expect(loop.reducer.isSettled(a))

        // Held by a storm (git holds its index lock): not settled while the batch waits.
        loop.send(.vcsLock(present: true))
        loop.replace(a, .valid(3))
        loop.hints([file(a, .completeWrite)])
        #expect(!loop.reducer.isSettled(a))
        loop.send(.vcsLock(present: false))
        loop.settle()
        #expect(loop.graph[a] == .updated(contentHash: 3))
        #expect(loop.reducer.isSettled(a))
    }

    @Test func aTaskNeverNamedIsSettled() {
        let loop = FakeWatchLoop()
        #expect(loop.reducer.isSettled(key("nobody")))
    }
}
