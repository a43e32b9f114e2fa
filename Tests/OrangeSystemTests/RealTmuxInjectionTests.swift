import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// tmux parses more than it seems: an argument ending in `;` ends a tmux command, and `#(…)`
/// in `-c` runs a shell command. Neither may let a task's text reach tmux as syntax.
@Suite(.enabled(if: FileSystem.findExecutable("tmux", searchPath: ProcessEnvironment.current()["PATH"] ?? "") != nil, "needs tmux"))
struct RealTmuxInjectionTests {
    @Test func argumentsEndingInSemicolonsAndHashesInTheDirectoryStayData() throws {
        try withTemporaryDirectory { dir in
            let socket = "orange-test-\(UInt32.random(in: 0...UInt32.max))"
            let tmux = RealTmux(runner: ProcessRunner(), socket: socket)
            defer { _ = try? ProcessRunner().run(["tmux", "-L", socket, "kill-server"]) }
            let workspace = dir + "/ws #(touch \(dir)/pwned-dir)"
            try FileSystem.makeDirectories(workspace)
            let out = dir + "/argv"
            let words = ["ends;", "run-shell", "touch \(dir)/pwned-semi", ";", "back\\;", "mid;dle", "#{session_name}"]
            let script =
                "pwd > \(ShellQuoting.quote(out)).pwd; for a in \"$@\"; do printf '%s\\0' \"$a\"; done > \(ShellQuoting.quote(out)).tmp && mv \(ShellQuoting.quote(out)).tmp \(ShellQuoting.quote(out))"
            try tmux.newSession("injection", directory: workspace, command: ["sh", "-c", script, "prog"] + words, environment: [:])

            let clock = SystemClock()
            let deadline = clock.monotonicNanoseconds() + 10_000_000_000
            while !FileSystem.fileExists(out) && clock.monotonicNanoseconds() < deadline { _ = try ProcessRunner().run(["sleep", "0.02"]) }
            let received = try FileSystem.readBytes(out).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            #expect(received == words)
            #expect(try FileSystem.readText(out + ".pwd") == workspace + "\n")
            #expect(!FileSystem.fileExists(dir + "/pwned-semi"))
            #expect(!FileSystem.fileExists(dir + "/pwned-dir"))
        }
    }

    @Test func aOneWordCommandIsNotParsedByAShell() throws {
        try withTemporaryDirectory { dir in
            let socket = "orange-test-\(UInt32.random(in: 0...UInt32.max))"
            let tmux = RealTmux(runner: ProcessRunner(), socket: socket)
            defer { _ = try? ProcessRunner().run(["tmux", "-L", socket, "kill-server"]) }
            let program = dir + "/my agent; touch pwned"
            try AtomicFile.write("#!/bin/sh\ntouch \(ShellQuoting.quote(dir))/ran\n", to: program, mode: 0o755)
            try tmux.newSession("oneword", directory: dir, command: [program], environment: [:])
            let clock = SystemClock()
            let deadline = clock.monotonicNanoseconds() + 10_000_000_000
            while !FileSystem.fileExists(dir + "/ran") && clock.monotonicNanoseconds() < deadline {
                _ = try ProcessRunner().run(["sleep", "0.02"])
            }
            #expect(FileSystem.fileExists(dir + "/ran"))
            #expect(!FileSystem.fileExists(dir + "/pwned"))
        }
    }
}
