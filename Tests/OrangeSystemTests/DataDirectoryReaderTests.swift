import Glibc
import OrangeCore
import Testing

@testable import OrangeSystem

@Suite struct DataDirectoryReaderTests {
    /// A process that exited but is not reaped yet (a zombie) writes nothing more: its leftovers
    /// are stale, whatever its parent's pace.
    @Test func aZombieIsNotAlive() throws {
        let pid = try ProcessRunner().spawn(["true"], environment: [:], stdout: nil, stderr: nil, stdin: nil)
        defer { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 10_000_000_000
        func isZombie() -> Bool {
            guard let stat = try? FileSystem.readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
        }
        while !isZombie() && clock.monotonicNanoseconds() < deadline { usleep(1_000) }
        #expect(isZombie())
        #expect(!DataDirectoryReader.isAlive(pid))
        #expect(DataDirectoryReader.isAlive(getpid()))
    }
}
