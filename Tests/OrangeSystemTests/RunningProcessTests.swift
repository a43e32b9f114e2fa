import Glibc
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct RunningProcessTests {
    /// The whole output is read (more than the pipe and the read buffer hold), its bytes counted,
    /// and the exit code is the child's, or 128 + the signal that ended it.
    @Test func drainingCountsEveryByteAndGivesTheExitCode() throws {
        try withTemporaryDirectory { dir in
            let environment = ["PATH": "/usr/bin:/bin"]
            let writer = try RunningProcess(
                ["sh", "-c", "head -c 3500000 /dev/zero; echo gone >&2; exit 3"], environment: environment, errorLog: dir + "/err")
            let drained = writer.drainOutputAndWait()
            #expect(drained.exitCode == 3)
            #expect(drained.bytes == 3_500_000)
            #expect(try FileSystem.readText(dir + "/err") == "gone\n")

            let silent = try RunningProcess(["true"], environment: environment, errorLog: dir + "/err2")
            #expect(silent.drainOutputAndWait() == (0, 0))

            let killed = try RunningProcess(["sh", "-c", "printf abc; kill -9 $$"], environment: environment, errorLog: dir + "/err3")
            let ended = killed.drainOutputAndWait()
            #expect(ended.exitCode == 128 + SIGKILL)
            #expect(ended.bytes == 3)
        }
    }
}
