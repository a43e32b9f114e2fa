import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The README's main command, as a newcomer runs it.
@Suite(.enabled(if: OrangeHarness.hasTmux, "needs tmux"))
struct DemoEndToEndTests {
    @Test func demoRunsBothSeedFlowsAndCleansUp() throws {
        let runner = ProcessRunner()
        let result = try runner.run([OrangeHarness.binary, "demo"], environment: [:], input: nil, timeoutSeconds: 120)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("12 tasks done in"))
        #expect(result.stdout.contains("oauth-api  is ready  (blocker oauth-db done)"))
        #expect(result.stdout.contains("add-audit  working → delegated"))
        #expect(result.stdout.contains("audit-ui  delegated → done"))
        #expect(result.stdout.contains("add-audit  delegated → done"))
        // The execution modes and the branch model: a reassess turn, then one review of the whole.
        #expect(result.stdout.contains("release-notes  delegated → working"))
        #expect(result.stdout.contains("release-notes  delegated → reviewing"))
        #expect(result.stdout.contains("release-notes  [sequential, hierarchical]"))
        // Nothing left behind: the scratch folder and the private tmux server are gone.
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("orange demo: a throwaway ORANGE_HOME in ") }
        let folder = line.map { String($0.dropFirst("orange demo: a throwaway ORANGE_HOME in ".count)) } ?? ""
        #expect(!folder.isEmpty && !FileSystem.fileExists(folder))
    }
}
