import Dispatch
import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite struct ProcessRunnerTests {
    let runner = ProcessRunner()

    /// A program is listed while it runs (the engine says it when a `watch sync` waits long, a
    /// git or tmux that hangs), and no longer once it ended.
    @Test func aRunningProgramIsListedWhileItRuns() throws {
        let finished = DispatchSemaphore(value: 0)
        let runner = self.runner
        DispatchQueue.global().async {
            _ = try? runner.run(["sleep", "1.25"])
            finished.signal()
        }
        let clock = SystemClock()
        let deadline = clock.monotonicNanoseconds() + 10_000_000_000
        while !ProcessRunner.runningPrograms().contains(where: { $0.commandLine == "sleep 1.25" })
            && clock.monotonicNanoseconds() < deadline
        {
            usleep(1_000)  // a poll interval, not a wait for the outcome
        }
        #expect(ProcessRunner.runningPrograms().contains { $0.commandLine == "sleep 1.25" }, "the running program is listed")
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(!ProcessRunner.runningPrograms().contains { $0.commandLine == "sleep 1.25" }, "an ended program is not listed")
    }

    @Test func exitCodesOutputAndInput() throws {
        let result = try runner.run(["sh", "-c", "cat; echo err >&2; exit 3"], environment: ["X": "1"], input: "in\n", timeoutSeconds: 10)
        #expect(result.exitCode == 3 && result.stdout == "in\n" && result.stderr == "err\n")
        #expect(try runner.run(["sh", "-c", "kill -TERM $$"]).exitCode == 128 + SIGTERM)
        #expect(
            try runner.run(["sh", "-c", "printf %s \"$X\""], environment: ["X": "a b $(c)"], input: nil, timeoutSeconds: 10).stdout
                == "a b $(c)")
    }

    @Test func largeOutputOnBothStreamsDoesNotDeadlock() throws {
        let result = try runner.run(
            ["sh", "-c", "head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2"], environment: [:], input: nil, timeoutSeconds: 30)
        #expect(result.stdout.utf8.count == 3_000_000 && result.stderr.utf8.count == 3_000_000)
    }

    @Test func aTimeoutEndsTheWholeProcessGroup() throws {
        // A duration nothing else uses marks this test's two sleeps (one in the background).
        let marker = "100.\(UInt32.random(in: 1...UInt32.max))"
        let result = try runner.run(["sh", "-c", "sleep \(marker) & sleep \(marker)"], environment: [:], input: nil, timeoutSeconds: 0.3)
        #expect(result.timedOut)
        let left = try runner.run(["pgrep", "-f", "sleep \(marker)"])
        #expect(left.stdout.isEmpty, "still running: \(left.stdout)")
    }

    @Test func aMissingProgramIsASpawnFailure() throws {
        #expect(throws: ProcessError.self) { try runner.run(["orange-no-such-program-\(getpid())"]) }
    }

    /// A child sees only 0, 1, 2 and the descriptor `ls` opens itself: nothing orange holds, not
    /// even a descriptor it inherited without close-on-exec.
    @Test func childrenInheritNoDescriptors() throws {
        try withTemporaryDirectory { dir in
            let leaky = open(dir + "/leaky", O_RDWR | O_CREAT, 0o600)  // deliberately without O_CLOEXEC
            defer { close(leaky) }
            let tidy = open(dir + "/tidy", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            defer { close(tidy) }
            let result = try runner.run(["sh", "-c", "ls /proc/self/fd"])
            let fds = Set(result.stdout.split(separator: "\n").compactMap { Int($0) })
            #expect(fds.isSubset(of: [0, 1, 2, 3]), "\(fds)")
            #expect(!fds.contains(Int(leaky)) || leaky == 3)
        }
    }

    /// Starting the tmux server must not hang (Foundation.Process does: the daemon keeps its pipe).
    @Test(.enabled(if: FileSystem.findExecutable("tmux", searchPath: ProcessEnvironment.current()["PATH"] ?? "") != nil))
    func startingATmuxServerReturnsPromptly() throws {
        let socket = "orange-test-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? runner.run(["tmux", "-L", socket, "kill-server"]) }
        let result = try runner.run(
            ["tmux", "-L", socket, "new-session", "-d", "-s", "s"], environment: [:], input: nil, timeoutSeconds: 10)
        #expect(result.exitCode == 0 && !result.timedOut)
    }
}
