import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// `orange watch sync` over an in-memory handshake and a fake clock: it waits for the engine's
/// answer to its own cookie, and takes the cookie back when none comes in time.
struct WatchSyncUnitTests {
    @Test func withoutAnEngineNothingIsDroppedAndTheCommandSaysSo() {
        let world = InMemoryWorld()
        let outcome = OrangeCLI(context: world.context).execute(["watch", "sync"])
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("no orange engine is running"), "\(outcome.stderr)")
        #expect(world.engineSync.cookies.isEmpty)
    }

    @Test func theCommandReturnsOnceTheEngineAnsweredItsCookie() {
        let world = InMemoryWorld()
        world.engineSync.runEngine(answeringAfter: 3)
        let outcome = OrangeCLI(context: world.context).execute(["watch", "sync"])
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "synced\n")
        #expect(world.engineSync.looks == 4)
        #expect(world.engineSync.cookies.isEmpty)
        #expect(world.engineSync.answers.isEmpty)  // the answer is taken, not left behind
    }

    @Test func aCookieNobodyAnswersIsTakenBackAfterTheTimeout() {
        let world = InMemoryWorld()
        world.engineSync.runEngine(answeringAfter: nil)
        let started = world.clock.monotonicNanoseconds()
        let outcome = OrangeCLI(context: world.context).execute(["watch", "sync", "--timeout", "1"])
        #expect(outcome.exitCode == 1)
        #expect(outcome.stderr.contains("did not answer within 1.0s"), "\(outcome.stderr)")
        #expect(world.engineSync.cookies.isEmpty)
        let waited = world.clock.monotonicNanoseconds() - started
        #expect(waited > 1_000_000_000 && waited < 1_100_000_000, "\(waited)")
    }
}
