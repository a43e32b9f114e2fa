import Glibc
import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@Suite(.serialized) struct PermissionEndToEndTests {
    /// Root ignores permission bits, so as root the command runs in a new user namespace
    /// (`unshare -U`): still the owner of the files, but without the capability to override
    /// their modes there.
    static let prefix: [String]? = {
        guard geteuid() == 0 else { return [] }
        let probe = try? ProcessRunner().run(["unshare", "-U", "true"], environment: [:], input: nil, timeoutSeconds: 10)
        return probe?.exitCode == 0 ? ["unshare", "-U"] : nil
    }()

    /// A task folder made read-only (0555): `task update` fails with an error naming TASK.md,
    /// leaves no temporary file, and the file is byte for byte what it was.
    @Test(.enabled(if: prefix != nil, "running as root and 'unshare -U' is not permitted, so permissions cannot be enforced"))
    func aReadOnlyTaskFolderIsAClearErrorAndChangesNothing() throws {
        let h = try OrangeHarness()
        let repo = try h.makeProject("coffee")
        let id = try #require(try h.task(["task", "create", "ro", "read only", "--no-spawn"], in: repo)["id"]?.stringValue)
        let folder = h.home + "/tasks/coffee/\(id)"
        let file = folder + "/TASK.md"
        let before = try FileSystem.readBytes(file)
        let listingBefore = try FileSystem.listDirectory(folder).sorted()
        #expect(chmod(folder, 0o555) == 0)
        defer { _ = chmod(folder, 0o700) }

        let argv = (Self.prefix ?? []) + ["env", "-C", repo, OrangeHarness.binary, "task", "update", id, "--description", "changed"]
        let result = try h.runner.run(argv, environment: h.environment, input: nil, timeoutSeconds: 60)
        #expect(result.exitCode == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains(file) && result.stderr.contains("Permission denied"), "\(result.stderr)")
        #expect(try FileSystem.readBytes(file) == before)
        #expect(try FileSystem.listDirectory(folder).sorted() == listingBefore, "a temporary file was left")
        let json = try h.runner.run(argv + ["--json"], environment: h.environment, input: nil, timeoutSeconds: 60)
        let error = OrangeHarness.errorMessage(json.stdout)
        #expect(json.exitCode == 1 && error?.contains(file) == true, "\(json.stdout)")
        #expect(try FileSystem.readBytes(file) == before)
    }
}
