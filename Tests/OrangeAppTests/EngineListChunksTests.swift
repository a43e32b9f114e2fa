import OrangeCore
import OrangeTestSupport
import Testing

@testable import OrangeApp

/// The engine's `--json` list kept in chunks: after a write only the chunks whose tasks changed
/// are written again, and the list put together from the kept and the new ones is the scan's.
struct EngineListChunksTests {
    let world = InMemoryWorld()

    func scanned(_ query: TaskListQuery, _ graph: TaskGraph) -> [UInt8] {
        let result = Commands.taskList(query, in: ReadGraph(engine: graph), context: world.context)
        return Array((JSONEnvelope.wrap(result.json).prettyRendered() + "\n").utf8)
    }

    let ready = TaskListQuery(project: nil, statuses: [], ready: true, blocked: false, tree: false, json: true)

    /// Twenty ready tasks t00…t19 (created in that order) and a blocked one, b, behind t05.
    func tree() -> TaskGraph {
        var tasks = (0..<20).map { world.task(String(format: "t%02d", $0)) }
        tasks.append(world.task("b", blockedBy: ["t05"]))
        for index in tasks.indices { tasks[index].createdAt = Timestamp(millisecondsSinceEpoch: Int64(index * 10)) }
        return TaskGraph(tasks)
    }

    func list(_ chunks: inout EngineListChunks, _ pieces: inout EngineListPieces, _ graph: TaskGraph) -> [UInt8] {
        let indexed = IndexedGraph(graph: graph, indexes: GraphIndexes(graph: graph))
        let file = chunks.render(ready, graph: indexed, modes: [:], pieces: &pieces) { world.context.stores.tasks.taskFilePath($0, in: $1) }
        return file?.bytes() ?? []
    }

    @Test func aWriteWritesOnlyTheChunkOfTheTaskItChanged() {
        var graph = tree()
        var chunks = EngineListChunks(tasksPerChunk: 4)
        var pieces = EngineListPieces()
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
        #expect(chunks.written == 5)
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
        #expect(chunks.written == 0)

        var record = graph[TaskID(validating: "t09")!]!
        record.description = "changed"
        graph.upsert(record)
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
        #expect(chunks.written == 1)
    }

    @Test func aTaskEnteringOrLeavingTheListChangesTheChunkOfItsPlace() {
        var graph = tree()
        var chunks = EngineListChunks(tasksPerChunk: 4)
        var pieces = EngineListPieces()
        _ = list(&chunks, &pieces, graph)
        // t05 done: it leaves the list (second chunk), b becomes ready and enters it (the last).
        var blocker = graph[TaskID(validating: "t05")!]!
        blocker.status = .done
        graph.upsert(blocker)
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
        #expect(chunks.written == 2)
        // A new first task, and the last one removed.
        var first = world.task("a0")
        first.createdAt = Timestamp(millisecondsSinceEpoch: -1)
        graph.upsert(first)
        graph.remove(TaskID(validating: "b")!)
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
        #expect(chunks.written == 2)
        // Every task gone, then one back: the empty list, then a list of one.
        for id in graph.tasks.compactValues.map(\.id) { graph.remove(id) }
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
        graph.upsert(world.task("z9"))
        #expect(list(&chunks, &pieces, graph) == scanned(ready, graph))
    }
}
