import OrangeCore
import OrangeSystem

/// `task list --ready --json` (every project, every status) as the engine keeps it: its elements
/// in chunks of consecutive ready tasks, each chunk a sealed memory file, passed to the command
/// as several descriptors and printed by it in order (`SealedFileParts`).
///
/// After a write, a chunk is kept without reading its tasks when the graph's change log
/// (`ChangeLog`, the tasks whose elements may differ since the chunks were written) names none
/// of its tasks and no task entered the ready list inside its range; only the others are written
/// again, from the kept pieces. At 100,000 tasks (33,000 listed, 32 MB) looking up and comparing
/// every listed task cost 45–175 ms (docs/performance.md, section 6). Without a known change
/// set (a rebuild from scratch, a big batch, other projects' modes) every chunk is written again.
struct EngineListChunks: Sendable {
    struct Chunk: Sendable {
        var keys: [GraphIndexes.ReadyKey]
        var ids: Set<TaskID>
        var file: SealedMemoryFile
    }

    static let defaultTasksPerChunk = 512
    /// Chunks at most: one message passes at most 253 descriptors; past this, all written again.
    static let mostChunks = 240

    /// Tasks per chunk at least; more when the list would need more than about 120 chunks.
    let tasksPerChunk: Int
    private(set) var chunks: [Chunk] = []
    private var written: (mark: ChangeLog.Mark, key: String)?

    init(tasksPerChunk: Int = Self.defaultTasksPerChunk) { self.tasksPerChunk = max(1, tasksPerChunk) }

    /// Whether `query` is the list kept in chunks here.
    static func covers(_ query: TaskListQuery) -> Bool {
        query.ready && query.json && query.project == nil && query.statuses.isEmpty && !query.blocked && !query.tree
    }

    /// The list's parts, the chunks brought up to `graph`: the envelope's head, each chunk's
    /// elements (the first chunk from its second byte, the comma of a following element), the
    /// tail. `key` names what besides the graph the bytes depend on (the projects' modes); a
    /// different key writes every chunk again. Nil when a memory file cannot be made.
    mutating func render(
        key: String, graph: IndexedGraph, modes: [ProjectName: ProjectModes], pieces: inout EngineListPieces,
        path: (TaskID, ProjectName) -> String
    ) -> [EngineReadProtocol.PassedPart]? {
        let order = graph.indexes.readyInOrder
        var view = GraphView(graph: graph.graph, cycles: graph.indexes.cycles)
        view.projectModes = modes
        let size = max(tasksPerChunk, order.count / 120 + 1)
        let changed = written.flatMap { $0.key == key ? graph.indexes.changeLog.changes(since: $0.mark) : nil }
        var fresh = changed.flatMap { keptUpdated(order, changed: $0, graph: graph, size: size, view: view, pieces: &pieces, path: path) }
        if fresh == nil || fresh!.count > Self.mostChunks {
            chunks = []
            var all: [Chunk] = []
            guard write(order[...], size: size, graph: graph, view: view, pieces: &pieces, path: path, into: &all) else { return nil }
            fresh = all
        }
        chunks = fresh!
        written = (graph.indexes.changeLog.mark, key)
        pieces.forgetRemoved(from: graph.graph)
        let head = PrettyJSONPieces.envelopeOpening("tasks", capacity: 64)
        var tail: [UInt8] = []
        PrettyJSONPieces.closeEnvelope(empty: chunks.isEmpty, in: &tail)
        if chunks.isEmpty { return [.bytes(head + tail)] }
        // The first element's separator is a newline, the others' a comma and a newline, and
        // every chunk is written as following another: the first is passed from its second byte.
        let elements = chunks.enumerated().map { index, chunk in
            EngineReadProtocol.PassedPart.descriptor(offset: index == 0 ? 1 : 0, count: chunk.file.byteCount - (index == 0 ? 1 : 0))
        }
        return [.bytes(head)] + elements + [.bytes(tail)]
    }

    /// The files of the parts `render` returned last, in order.
    var files: [SealedMemoryFile] { chunks.map(\.file) }

    /// The kept chunks none of whose tasks are in `changed` and in whose range no changed task
    /// is ready now, with the tasks between them written again; nil when the kept chunks do not
    /// line up with `order` (then everything is written again).
    private func keptUpdated(
        _ order: [GraphIndexes.ReadyKey], changed: Set<TaskID>, graph: IndexedGraph, size: Int, view: GraphView,
        pieces: inout EngineListPieces, path: (TaskID, ProjectName) -> String
    ) -> [Chunk]? {
        guard !chunks.isEmpty else { return nil }
        var dirty = [Bool](repeating: false, count: chunks.count)
        for id in changed {
            guard let key = graph.indexes.readyKey(of: id) else { continue }
            // The last chunk starting at or before the key: dirty if the key is inside it.
            let low = chunks.partitioningIndex { key < $0.keys[0] }
            if low > 0, !(chunks[low - 1].keys.last! < key) { dirty[low - 1] = true }
        }
        for index in chunks.indices where !dirty[index] {
            let chunk = chunks[index]
            dirty[index] =
                changed.count < chunk.keys.count
                ? changed.contains { chunk.ids.contains($0) } : chunk.keys.contains { changed.contains($0.id) }
        }
        var fresh: [Chunk] = []
        var cursor = 0
        for (index, chunk) in chunks.enumerated() where !dirty[index] {
            let start = order.sortedLowerBound(of: chunk.keys[0])
            let end = start + chunk.keys.count
            // None of its tasks changed, so all are still ready in the same order: its ends in
            // their places mean nothing entered between them. (A task entering it marks it dirty
            // above; this check alone would keep the bytes right, writing everything again.)
            guard start >= cursor, end <= order.count, order[start] == chunk.keys[0], order[end - 1] == chunk.keys.last! else {
                return nil
            }
            guard write(order[cursor..<start], size: size, graph: graph, view: view, pieces: &pieces, path: path, into: &fresh)
            else { return nil }
            fresh.append(chunk)
            cursor = end
        }
        guard write(order[cursor...], size: size, graph: graph, view: view, pieces: &pieces, path: path, into: &fresh) else {
            return nil
        }
        return fresh
    }

    /// `keys`' elements as chunks of `size` to `2 × size - 1` tasks (one smaller chunk when
    /// fewer), so a task entering a chunk does not split off a chunk of one.
    private func write(
        _ keys: ArraySlice<GraphIndexes.ReadyKey>, size: Int, graph: IndexedGraph, view: GraphView, pieces: inout EngineListPieces,
        path: (TaskID, ProjectName) -> String, into chunks: inout [Chunk]
    ) -> Bool {
        guard !keys.isEmpty else { return true }
        let count = max(1, keys.count / size)
        var start = keys.startIndex
        for index in 0..<count {
            let end = index == count - 1 ? keys.endIndex : start + keys.count / count
            let part = keys[start..<end]
            var bytes: [UInt8] = []
            bytes.reserveCapacity(part.count * 1024)
            _ = pieces.appendElements(part.lazy.map(\.id), first: false, graph: graph, view: view, into: &bytes, path: path)
            guard let file = SealedMemoryFile.holding(bytes, name: "orange-list-chunk") else { return false }
            chunks.append(Chunk(keys: Array(part), ids: Set(part.lazy.map(\.id)), file: file))
            start = end
        }
        return true
    }
}
