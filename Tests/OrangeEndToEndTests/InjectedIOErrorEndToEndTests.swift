import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// EIO in the middle of a write, from fsync, and from the folder's fsync after the rename,
/// injected into the real binary with `IOErrorShim` (`LD_PRELOAD`). Only orange's TASK.md writes
/// fail; git and everything else run normally.
@Suite struct InjectedIOErrorEndToEndTests {
    static let hasCompiler = IOErrorShim.compiler != nil

    /// A project with one task, and the shim built next to it.
    struct Setup {
        let h: OrangeHarness
        let repo: String
        let shim: String
        let id: String
        let folder: String

        init() throws {
            h = try OrangeHarness()
            repo = try h.makeProject("coffee")
            shim = try IOErrorShim.build(in: h.directory.path)
            id = try #require(try h.task(["task", "create", "grind", "grind the beans", "--no-spawn"], in: repo)["id"]?.stringValue)
            folder = h.home + "/tasks/coffee/" + id
        }

        func orange(_ args: [String], failing call: String?) throws -> ProcessResult {
            var extra = ["LD_PRELOAD": shim]
            if let call { extra["ORANGE_TEST_EIO"] = call }
            return try h.orange(args, in: repo, extraEnvironment: extra)
        }

        /// Names in the project's tasks folder and in every task folder that are atomic-write temporaries.
        func temporaryFiles() throws -> [String] {
            let project = h.home + "/tasks/coffee"
            let folders = try FileSystem.listDirectory(project).filter { !$0.hasPrefix(".") }.map { project + "/" + $0 }
            return try ([project] + folders).flatMap { folder in
                try FileSystem.listDirectory(folder).filter { $0.contains(".orange-tmp-") }.map { folder + "/" + $0 }
            }
        }
    }

    /// `task update` whose write fails half way, or whose fsync fails: exit 1 with the file's name
    /// and the system's reason, TASK.md byte for byte as it was, no temporary file, doctor clean;
    /// the same command then succeeds without the fault.
    @Test(
        .enabled(if: hasCompiler, "no C compiler (clang next to swift, or cc) to build the LD_PRELOAD shim"),
        arguments: ["write", "fsync"])
    func anUpdateFailingWithEIOChangesNothing(call: String) throws {
        let s = try Setup()
        let file = s.folder + "/TASK.md"
        let before = try FileSystem.readBytes(file)
        let args = ["task", "update", s.id, "--description", String(repeating: "x", count: 20_000)]

        let failed = try s.orange(args, failing: call)
        #expect(failed.exitCode == 1, "\(call): \(failed.stdout) \(failed.stderr)")
        #expect(failed.stderr.contains("\(call) \(file): Input/output error"), "\(call): \(failed.stderr)")
        #expect(try FileSystem.readBytes(file) == before, "\(call): TASK.md changed")
        let leftovers = try s.temporaryFiles()
        #expect(leftovers.isEmpty, "\(call): \(leftovers)")
        let doctor = try s.h.orange(["doctor"])
        #expect(doctor.exitCode == 0, "\(call): \(doctor.stdout) \(doctor.stderr)")

        let retried = try s.orange(args, failing: nil)
        #expect(retried.exitCode == 0, "\(call): \(retried.stdout) \(retried.stderr)")
        #expect(try s.h.task(["task", "show", s.id])["description"]?.stringValue == String(repeating: "x", count: 20_000))
    }

    /// `task create` whose TASK.md write fails: exit 1 naming the file, no task and no folder left
    /// behind (doctor clean, `task list` shows only the first task), then it succeeds without the fault.
    @Test(
        .enabled(if: hasCompiler, "no C compiler (clang next to swift, or cc) to build the LD_PRELOAD shim"),
        arguments: ["write", "fsync", "dirfsync"])
    func aCreateFailingWithEIOLeavesNoTask(call: String) throws {
        let s = try Setup()
        let args = ["task", "create", "brew", "brew the coffee", "--no-spawn"]

        let failed = try s.orange(args, failing: call)
        #expect(failed.exitCode == 1, "\(call): \(failed.stdout) \(failed.stderr)")
        let operation = call == "dirfsync" ? "fsync the folder after writing" : call
        #expect(
            failed.stderr.contains("TASK.md: Input/output error") && failed.stderr.contains("\(operation) \(s.h.home)/tasks/coffee/"),
            "\(call): \(failed.stderr)")
        let leftovers = try s.temporaryFiles()
        #expect(leftovers.isEmpty, "\(call): \(leftovers)")
        let folders = try FileSystem.listDirectory(s.h.home + "/tasks/coffee").filter { !$0.hasPrefix(".") }
        #expect(folders == [s.id], "\(call): \(folders)")
        let doctor = try s.h.orange(["doctor"])
        #expect(doctor.exitCode == 0, "\(call): \(doctor.stdout) \(doctor.stderr)")

        let retried = try s.orange(args, failing: nil)
        #expect(retried.exitCode == 0, "\(call): \(retried.stdout) \(retried.stderr)")
        #expect(try s.h.tasks(["task", "list"]).arrayValue?.count == 2)
    }

    /// The folder's fsync after the rename fails: the new TASK.md is already in place but may not
    /// survive a crash, so the command fails (exit 1, naming the file) rather than report a success
    /// it cannot promise; the file holds the new text, whole. Running it again succeeds.
    @Test(.enabled(if: hasCompiler, "no C compiler (clang next to swift, or cc) to build the LD_PRELOAD shim"))
    func aFailedFolderSyncAfterTheRenameIsAnError() throws {
        let s = try Setup()
        let file = s.folder + "/TASK.md"
        let args = ["task", "update", s.id, "--description", "ground fine"]

        let failed = try s.orange(args, failing: "dirfsync")
        #expect(failed.exitCode == 1, "\(failed.stdout) \(failed.stderr)")
        #expect(failed.stderr.contains("fsync the folder after writing \(file): Input/output error"), "\(failed.stderr)")
        #expect(try s.h.task(["task", "show", s.id])["description"]?.stringValue == "ground fine")
        let leftovers = try s.temporaryFiles()
        #expect(leftovers.isEmpty, "\(leftovers)")
        let doctor = try s.h.orange(["doctor"])
        #expect(doctor.exitCode == 0, "\(doctor.stdout) \(doctor.stderr)")

        let retried = try s.orange(args, failing: nil)
        #expect(retried.exitCode == 0, "\(retried.stdout) \(retried.stderr)")
    }

    /// An engine-side write: `watch --once` completing a delegated parent whose child is done,
    /// with the parent's write failing. The pass exits 1 naming the file, the parent stays
    /// delegated, byte for byte, with no temporary file; the next pass without the fault completes it.
    @Test(
        .enabled(if: hasCompiler, "no C compiler (clang next to swift, or cc) to build the LD_PRELOAD shim"),
        arguments: ["write", "fsync"])
    func aPassFailingWithEIOLeavesTheParentForTheNextPass(call: String) throws {
        let s = try Setup()
        let child = try #require(
            try s.h.task(["task", "create", "c", "child", "--no-spawn", "--parent", s.id], in: s.repo)["id"]?.stringValue)
        _ = try s.h.json(["task", "update", child, "--status", "done", "--as", "human"])
        // Delegated by hand: the agent that would delegate it needs tmux, and the pass only reads the file.
        let file = s.folder + "/TASK.md"
        let pending = try FileSystem.readText(file)
        #expect(pending.contains("\nstatus: pending\n"))
        try AtomicFile.write(pending.replacing("\nstatus: pending\n", with: "\nstatus: delegated\n"), to: file)
        let before = try FileSystem.readBytes(file)

        let failed = try s.orange(["watch", "--once"], failing: call)
        #expect(failed.exitCode == 1, "\(call): \(failed.stdout) \(failed.stderr)")
        #expect(failed.stderr.contains("\(call) \(file): Input/output error"), "\(call): \(failed.stderr)")
        #expect(try FileSystem.readBytes(file) == before, "\(call): the parent's TASK.md changed")
        let leftovers = try s.temporaryFiles()
        #expect(leftovers.isEmpty, "\(call): \(leftovers)")
        let doctor = try s.h.orange(["doctor"])
        #expect(doctor.exitCode == 0, "\(call): \(doctor.stdout) \(doctor.stderr)")

        let retried = try s.orange(["watch", "--once"], failing: nil)
        #expect(retried.exitCode == 0, "\(call): \(retried.stdout) \(retried.stderr)")
        #expect(try s.h.status(s.id) == "done")
    }
}
