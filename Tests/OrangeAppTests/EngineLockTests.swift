import Glibc
@testable import OrangeApp
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct EngineLockTests {
    /// `watch sync` and the dashboard probe the lock by taking it for an instant; an engine
    /// starting at that instant must wait the probe out, not report another engine.
    @Test func aLockHeldForAMomentIsWaitedOut() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/.engine.lock"
        // Another process (as `watch sync` is) holds the lock for 200 ms.
        let holder = try RunningProcess(["flock", path, "sh", "-c", "echo held; sleep 0.2"], environment: [:], errorLog: directory.path + "/flock.err")
        defer { holder.terminate() }
        var lines: [String] = []
        for _ in 0..<200 where lines.isEmpty { lines = holder.readLines(waitingUpTo: 50) }
        #expect(lines == ["held"])
        _ = try EngineLock(path: path)
    }

    @Test func aLockHeldOnIsReportedWithItsHolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/.engine.lock"
        let first = try EngineLock(path: path)
        defer { withExtendedLifetime(first) {} }
        #expect(throws: OrangeError.self) { _ = try EngineLock(path: path) }
        do { _ = try EngineLock(path: path) } catch let error as OrangeError {
            #expect(error.message.contains("pid \(getpid())"))
        }
    }
}
