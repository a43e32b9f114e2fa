import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// A full disk: ORANGE_HOME on a 512 KiB tmpfs, mounted in a private mount namespace
/// (`unshare -Urm`, so no root on the host is needed and nothing outside the test sees it).
@Suite(.serialized) struct DiskFullEndToEndTests {
    static let permitted: Bool = {
        let probe = try? ProcessRunner().run(["unshare", "-Urm", "true"], environment: [:], input: nil, timeoutSeconds: 10)
        return probe?.exitCode == 0
    }()

    /// `task update` on a full disk fails with the system's reason and the file's name, leaves no
    /// temporary file, and TASK.md is byte for byte what it was.
    @Test(.enabled(if: permitted, "'unshare -Urm' is not permitted here, so no private tmpfs can be mounted"))
    func aFullDiskIsAClearErrorAndChangesNothing() throws {
        let h = try OrangeHarness()
        let repo = h.directory.path + "/repo"
        let runner = ProcessRunner()
        try runner.check(["git", "init", "-q", "-b", "main", repo])
        try runner.check(["git", "-C", repo, "commit", "-q", "--allow-empty", "-m", "initial"], environment: h.environment)
        let out = h.directory.path + "/out"
        try FileSystem.makeDirectories(out)
        try FileSystem.makeDirectories(h.home)
        let script = #"""
            set -e
            mount -t tmpfs -o size=512k tmpfs "$ORANGE_HOME"
            "$ORANGE" project add "$REPO" --name coffee > /dev/null
            id=$("$ORANGE" task create full "small task" --project coffee --no-spawn --json | sed -n 's/^    "id": "\(.*\)",$/\1/p')
            folder="$ORANGE_HOME/tasks/coffee/$id"
            cp "$folder/TASK.md" "$OUT/before"
            dd if=/dev/zero of="$ORANGE_HOME/filler" bs=4096 2> /dev/null || true
            set +e
            "$ORANGE" task update "$id" --description "$(head -c 20000 /dev/zero | tr '\0' x)" > "$OUT/stdout" 2> "$OUT/stderr"
            echo $? > "$OUT/rc"
            cp "$folder/TASK.md" "$OUT/after"
            ls -a "$folder" > "$OUT/listing"
            """#
        var environment = h.environment
        environment["ORANGE"] = OrangeHarness.binary
        environment["REPO"] = repo
        environment["OUT"] = out
        let result = try runner.run(["unshare", "-Urm", "sh", "-c", script], environment: environment, input: nil, timeoutSeconds: 60)
        #expect(result.exitCode == 0, "\(result.stdout) \(result.stderr)")
        #expect(try FileSystem.readText(out + "/rc").trimmingSpaces() == "1")
        let stderr = try FileSystem.readText(out + "/stderr")
        #expect(stderr.contains("No space left on device") && stderr.contains("TASK.md"), "\(stderr)")
        #expect(try FileSystem.readBytes(out + "/after") == FileSystem.readBytes(out + "/before"))
        let listing = try FileSystem.readText(out + "/listing")
        #expect(!listing.contains("orange-tmp"), "\(listing)")
    }
}
