import OrangeCore
import OrangeSystem
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

/// The ready `--json` list kept in chunks (`EngineListChunks`) across edits of every kind, the
/// indexes followed change by change as the engine's are, so each list keeps the chunks the
/// change log leaves untouched: the parts put together must be the scan's bytes every time.
struct EngineListChunksTests {
    let world = InMemoryWorld()
    var project: ProjectName { InMemoryWorld.project }
    let query = TaskListQuery(project: nil, statuses: [], ready: true, blocked: false, tree: false, json: true)

    func assembled(_ parts: [EngineReadProtocol.PassedPart], _ files: [SealedMemoryFile]) -> [UInt8] {
        var files = files[...]
        var bytes: [UInt8] = []
        for part in parts {
            switch part {
            case .bytes(let head): bytes += head
            case .descriptor(let offset, let count): bytes += files.removeFirst().bytes()![offset..<offset + count]
            }
        }
        return bytes
    }

    @Test func theChunkedReadyListEqualsTheScanAfterEveryKindOfEdit() {
        var random = SeededRandom(seed: FuzzBudget.seed(default: 7))
        var graph = TaskGraph()
        for index in 0..<24 {
            graph.upsert(world.task("t\(index)", status: index % 4 == 0 ? .done : .pending))
        }
        var indexes = GraphIndexes(graph: graph)
        var pieces = EngineListPieces()
        var chunked = [1, 2, 3, 5].map { EngineListChunks(tasksPerChunk: $0) }
        var modes: [ProjectName: ProjectModes] = [:]
        var reused = 0
        var failures = 0
        func change(_ old: TaskRecord?, _ new: TaskRecord?) {
            if let new { graph.upsert(new) } else if let old { graph.remove(old.id) }
            indexes.update([GraphIndexes.Change(old: old, new: new)], in: graph)
            indexes.refresh(graph)
        }
        func check(_ what: String) {
            let indexed = IndexedGraph(graph: graph, indexes: indexes)
            let scan = EngineListPiecesTests().scanned(query, graph, modes: modes)
            let key = modes.map { "\($0.key)=\($0.value)" }.sorted().joined()
            for index in chunked.indices {
                let before = Set(chunked[index].files.map(\.descriptor))
                let parts = chunked[index].render(key: key, graph: indexed, modes: modes, pieces: &pieces) {
                    world.context.stores.tasks.taskFilePath($0, in: $1)
                }
                reused += chunked[index].files.filter { before.contains($0.descriptor) }.count
                let bytes = parts.map { assembled($0, chunked[index].files) } ?? []
                // Told by the first byte that differs: the lists are long.
                let same = bytes == scan
                let differs = bytes.indices.first { $0 >= scan.count || bytes[$0] != scan[$0] } ?? bytes.count
                #expect(same, "chunks of \(chunked[index].tasksPerChunk), after \(what): differs at byte \(differs)")
                if !same { failures += 1 }
            }
        }
        check("the first list")
        for step in 0..<150 {
            let ids = graph.tasks.keys.sorted()
            let id = ids[Int(random.next() % UInt64(ids.count))]
            let other = ids[Int(random.next() % UInt64(ids.count))]
            let old = graph[id]!
            var new = old
            var what = ""
            switch random.next() % 11 {
            case 0: (new.status, what) = ([.pending, .done, .working, .cancelled, .delegated][Int(random.next() % 5)], "a status")
            case 1: (new.blockedBy, what) = (Array(Set(new.blockedBy + [other])).sorted(), "a blocker added")
            case 2: (new.blockedBy, what) = (Array(new.blockedBy.dropFirst()), "a blocker removed")
            case 3: (new.parent, what) = (other == id ? nil : other, "a parent")
            case 4: (new.children, what) = (other == id ? [] : [other], "a child listed")
            case 5: (new.execution, what) = ([.sequential, .parallel, nil][Int(random.next() % 3)], "a task's mode")
            case 6: (new.description, what) = ("edit \(step)", "a description")
            case 7: (new.createdAt, what) = (Timestamp(millisecondsSinceEpoch: Int64(random.next() % 50)), "a creation time")
            case 8:
                change(old, nil)
                check("\(id) removed, step \(step)")
                continue
            case 9:
                change(nil, world.task("n\(step)", blockedBy: random.next() % 2 == 0 ? [other.rawValue] : []))
                check("a task added, step \(step)")
                continue
            default:
                modes[project] = ProjectModes(execution: random.next() % 2 == 0 ? .sequential : .parallel, branches: .flat)
                check("the project's modes, step \(step)")
                continue
            }
            change(old, new)
            check("\(what) of \(id), step \(step)")
            if failures > 0 { return }
        }
        // The chunks were kept, not all written again each time.
        #expect(reused > 100)
    }
}
