import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The engine's `--json` list, written from the pieces it kept, equals the scan's bytes after
/// every kind of change, including the ones that leave a listed task's own file as it was (a
/// blocker done, a child added, a project's modes): a kept piece never outlives what it shows.
struct EngineListPiecesTests {
    let world = InMemoryWorld()
    var project: ProjectName { InMemoryWorld.project }

    /// The scan's output for `query`: `Commands.taskList` on the graph, in the envelope, indented.
    func scanned(_ query: TaskListQuery, _ graph: TaskGraph, modes: [ProjectName: ProjectModes]) -> [UInt8] {
        var read = ReadGraph(engine: graph)
        read.view.projectModes = modes
        let result = Commands.taskList(query, in: read, context: world.context)
        return Array((JSONEnvelope.wrap(result.json).prettyRendered() + "\n").utf8)
    }

    func queries() -> [TaskListQuery] {
        [
            TaskListQuery(project: nil, statuses: [], ready: true, blocked: false, tree: false, json: true),
            TaskListQuery(project: nil, statuses: [], ready: false, blocked: false, tree: false, json: true),
            TaskListQuery(project: nil, statuses: [], ready: false, blocked: true, tree: false, json: true),
            TaskListQuery(project: nil, statuses: [], ready: true, blocked: true, tree: false, json: true),
            TaskListQuery(project: project, statuses: [], ready: true, blocked: false, tree: false, json: true),
            TaskListQuery(project: project, statuses: [.pending, .delegated], ready: false, blocked: false, tree: false, json: true),
            TaskListQuery(project: ProjectName(validating: "other")!, statuses: [], ready: false, blocked: false, tree: false, json: true),
        ]
    }

    @Test func everyListEqualsTheScanAfterEachKindOfChange() {
        var pieces = EngineListPieces()
        var graph = TaskGraph([
            world.task("a1", status: .done), world.task("b2", blockedBy: ["a1"]), world.task("c3", blockedBy: ["d4"]),
            world.task("d4"), world.task("p5", status: .delegated, children: ["k6"]), world.task("k6", parent: "p5"),
        ])
        var modes: [ProjectName: ProjectModes] = [:]
        var step = 0
        func check(_ what: String) {
            step += 1
            let indexed = IndexedGraph(graph: graph, indexes: GraphIndexes(graph: graph))
            for query in queries() {
                let engine = pieces.render(query, graph: indexed, modes: modes) { world.context.stores.tasks.taskFilePath($0, in: $1) }
                let scan = scanned(query, graph, modes: modes)
                // Compared as bytes; shown as text.
                #expect(engine == scan, "after \(what), \(query.arguments.rendered()):\n\(String(decoding: engine, as: UTF8.self))")
            }
        }
        func edit(_ id: String, _ change: (inout TaskRecord) -> Void) {
            var record = graph[TaskID(validating: id)!]!
            change(&record)
            graph.upsert(record)
        }
        check("the first list")
        check("nothing")
        // A blocker done: c3's own file is as it was, its readiness and blockers are not.
        edit("d4") { $0.status = .done }
        check("a blocker done")
        // A child added: p5's file lists it; its progress changes, and k7's own piece is new.
        graph.upsert(world.task("k7", status: .done, parent: "p5"))
        check("a child added by its parent field only")
        edit("p5") { $0.children.append(TaskID(validating: "k7")!) }
        check("a child added to the parent's list")
        // The project's modes, shown as every task's effective modes.
        modes[project] = ProjectModes(execution: .sequential, branches: .hierarchical)
        check("the project's modes")
        // A parent's own mode, inherited by its child.
        edit("p5") { $0.execution = .parallel }
        check("a parent's mode")
        // The task's own fields, hot and cold.
        edit("b2") { $0.description = "changed" }
        check("a description")
        edit("b2") { $0.status = .working }
        check("a status")
        edit("b2") { $0.hold = "wait" }
        check("a hold")
        edit("b2") { $0.extra.append(FrontmatterEntry(key: "note", value: .plain("x"), line: 20)) }
        check("an unknown key")
        edit("c3") { $0.createdAt = Timestamp(millisecondsSinceEpoch: 5) }
        check("a creation time (the order)")
        graph.remove(TaskID(validating: "a1")!)
        check("a task removed (b2's blocker now missing)")
        #expect(step == 13)
    }
}
