import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The engine sends the same list again while its graph does not change: a change of the
/// graph or of a project's modes (shown as each task's effective modes) is a new list.
struct EngineReadsListCacheTests {
    @Test func aListIsSentAgainOnlyWhileNeitherTheGraphNorTheModesChanged() throws {
        let home = try EngineHome()
        let p = ProjectName(validating: "p")!
        _ = try home.context.stores.projects.update { $0.append(Project(name: p, path: home.home + "/repo", defaultBranch: "main")) }
        for id in ["a1", "b2"] { try home.create(home.record(id)) }
        var options = WatchEngine.Options()
        options.sweepIntervalSeconds = 3600
        let engine = try RunningEngine(home, options: options) {}
        defer { _ = try? engine.stop() }
        var viaEngine = home.context
        viaEngine.stores.engineReads = SocketEngineReads(home: home.home)
        viaEngine.environment = ["ORANGE_ENGINE_READS": "required"]
        var viaScan = home.context
        viaScan.stores.engineReads = NoEngineReads()
        func list() -> (engine: CommandOutcome, scan: CommandOutcome) {
            let argv = ["task", "list", "--all", "--json"]
            return (OrangeCLI(context: viaEngine).execute(argv), OrangeCLI(context: viaScan).execute(argv))
        }

        let first = list()
        #expect(first.engine == first.scan && first.engine.exitCode == 0)
        // The list came as the engine's sealed memory file, not as text.
        #expect(first.engine.preparedStdout != nil && first.engine.stdout.isEmpty)
        #expect(list().engine == first.engine)

        _ = try home.context.stores.projects.update { $0[0].modes = ProjectModes(execution: .sequential) }
        let sequential = list()
        #expect(sequential.engine == sequential.scan)
        #expect(sequential.engine.stdoutText.contains("\"effective_execution\": \"sequential\""))

        try home.save(home.record("a1", description: "changed"))
        let edited = list()
        #expect(edited.engine == edited.scan)
        #expect(edited.engine.stdoutText.contains("changed"))
    }
}
