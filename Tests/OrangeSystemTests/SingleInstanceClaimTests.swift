import Dispatch
import Glibc
import OrangeSystem
import Synchronization
import Testing

@Suite struct SingleInstanceClaimTests {
    /// Names no other test (or test run) uses.
    private func names(_ count: Int = 1) -> [String] {
        let run = "orange-test/\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return (0..<count).map { "\(run)/\($0)" }
    }

    @Test func oneHolderAtATimeAndTheNameIsFreeOnceReleased() throws {
        let names = names(2)
        do {
            let first = try SingleInstanceClaim(names: names)
            defer { withExtendedLifetime(first) {} }
            #expect(first.pid == getpid())
            #expect(throws: SingleInstanceClaim.Held(name: names[0], pid: getpid())) { _ = try SingleInstanceClaim(names: names) }
            #expect(try SingleInstanceClaim.holder(of: [names[1]]) == SingleInstanceClaim.Held(name: names[1], pid: getpid()))
        }
        #expect(try SingleInstanceClaim.holder(of: names) == nil)
        let again = try SingleInstanceClaim(names: names)
        withExtendedLifetime(again) {}
    }

    /// All or nothing: a claim that meets a held name gives back the ones it took before it.
    @Test func aClaimThatFailsHoldsNothing() throws {
        let names = names(2)
        let second = try SingleInstanceClaim(names: [names[1]])
        defer { withExtendedLifetime(second) {} }
        #expect(throws: SingleInstanceClaim.Held.self) { _ = try SingleInstanceClaim(names: names) }
        #expect(try SingleInstanceClaim.holder(of: [names[0]]) == nil)
    }

    /// Each probe connects; the holder accepts and closes, so after a burst of a thousand probes
    /// (far past the listen queue) every one still found the holder, and the next names it again.
    @Test func probesAlwaysFindTheHolderAndTheQueueDrains() throws {
        let names = names()
        let claim = try SingleInstanceClaim(names: names)
        defer { withExtendedLifetime(claim) {} }
        var missed = 0
        for _ in 0..<1000 where try SingleInstanceClaim.holder(of: names) == nil { missed += 1 }
        #expect(missed == 0)
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 5_000_000_000
        while try SingleInstanceClaim.holder(of: names)?.pid != getpid() {
            if clock.monotonicNanoseconds() > deadline {
                Issue.record("the listen queue stayed full: the holder's pid is never named")
                break
            }
            usleep(1_000)
        }
    }

    /// `watch sync` and the dashboard probe while an engine starts: a probe must never make the
    /// claim fail (the flock-based lock needed a retry for that).
    @Test func aProbeNeverTakesTheClaim() throws {
        let names = names()
        let stop = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue(label: "prober").async {
            while !stop.load(ordering: .relaxed) { _ = try? SingleInstanceClaim.holder(of: names) }
            done.signal()
        }
        // A released name can stay taken for an instant when another test's thread forks while
        // the claim's socket is open (the child holds a copy until its exec): a claim that gets
        // through within a second counts, one that never does is a failure.
        let clock = SystemClock()
        var failures = 0
        for _ in 0..<300 {
            let deadline = clock.monotonicNanoseconds() + 1_000_000_000
            while true {
                do {
                    let claim = try SingleInstanceClaim(names: names)
                    withExtendedLifetime(claim) {}
                    break
                } catch {
                    if clock.monotonicNanoseconds() >= deadline {
                        failures += 1
                        break
                    }
                    clock.sleep(milliseconds: 1)
                }
            }
        }
        stop.store(true, ordering: .relaxed)
        done.wait()
        #expect(failures == 0)
    }

    @Test func aNameTooLongForASocketIsAnError() {
        #expect(throws: SystemError.self) { _ = try SingleInstanceClaim(names: [String(repeating: "x", count: 200)]) }
    }
}
