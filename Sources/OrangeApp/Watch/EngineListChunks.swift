import OrangeCore
import OrangeSystem

/// A `--json` list kept as runs of consecutive elements, each run (a chunk) in its own sealed
/// memory file, so the list after a write costs what changed: a chunk whose tasks, records and
/// derived members are all as they were keeps its file, the others are written again from the
/// pieces (`EngineListPieces`), and the answer's file is put together by the kernel from the
/// chunks' files (`SealedMemoryFile.assembled`), never passing through the engine's heap.
///
/// A chunk covers a range of the list's order (created, then id) from its first task's key to
/// the next chunk's: a task added, removed, or entering or leaving the list (a readiness change)
/// changes only the chunk of its range. Whether a task changed is told as the list tells its
/// end: its record compared whole (`holdsSameRecord`), and its derived members by their key
/// (`ListElementEnd`), so nothing that changes a task's bytes can leave its chunk as it was.
struct EngineListChunks: Sendable {
    /// Tasks a chunk is written with: about 500 KB of a typical list (0.7 ms to write again at
    /// 10,000 tasks), 65 chunks for the 33,000 ready tasks of 100,000.
    static let defaultTasksPerChunk = 512

    private struct Chunk: Sendable {
        var firstKey: ListOrderKey
        var ids: [TaskID]
        var records: [CompactTaskRecord]
        var ends: [ListElementEnd]
        /// Every element preceded by `,\n    `: the list's first element drops the comma.
        var file: SealedMemoryFile
    }

    private var chunks: [Chunk] = []
    let tasksPerChunk: Int

    init(tasksPerChunk: Int = Self.defaultTasksPerChunk) {
        self.tasksPerChunk = max(1, tasksPerChunk)
    }

    /// Chunks written by the last list (for tests).
    private(set) var written = 0
    var count: Int { chunks.count }

    /// The list `query` asks for, as `orange task list … --json` prints it, in a new sealed
    /// file; the chunks are kept for the next list of the same query and modes. Nil when no
    /// memory file can be made (the chunks are then forgotten).
    mutating func render(
        _ query: TaskListQuery, graph engineGraph: IndexedGraph, modes: [ProjectName: ProjectModes],
        pieces: inout EngineListPieces, path: (TaskID, ProjectName) -> String
    ) -> SealedMemoryFile? {
        let graph = engineGraph.graph
        var ends = ListElementEnds(engineGraph, modes: modes)
        var tasks: [CompactTaskRecord] = []
        for id in EngineListPieces.listedIDs(query, graph: engineGraph) {
            if let task = graph.tasks.compact(id) { tasks.append(task) }
        }
        written = 0
        var kept: [Chunk] = []
        var failed = false
        // The tasks of each old chunk's range, in order; those before the first chunk's go to it.
        var start = 0
        for (index, old) in chunks.enumerated() {
            var end = start
            if index + 1 < chunks.count {
                let next = chunks[index + 1].firstKey
                while end < tasks.count && ListOrderKey(tasks[end]) < next { end += 1 }
            } else {
                end = tasks.count
            }
            let run = tasks[start..<end]
            start = end
            if run.isEmpty { continue }
            if let same = Self.unchanged(old, run, ends: &ends) {
                kept.append(same)
            } else if !write(run, into: &kept, ends: &ends, pieces: &pieces, path: path) {
                failed = true
            }
        }
        if chunks.isEmpty, !write(tasks[...], into: &kept, ends: &ends, pieces: &pieces, path: path) { failed = true }
        pieces.forgetRemoved(from: graph)
        chunks = failed ? [] : kept
        guard !failed else { return nil }
        var head = PrettyJSONPieces.envelopeOpening("tasks", capacity: 64)
        if !tasks.isEmpty { PrettyJSONPieces.startElement(first: true, in: &head) }
        var tail: [UInt8] = []
        PrettyJSONPieces.closeEnvelope(empty: tasks.isEmpty, in: &tail)
        // The first element's separator is in the head; each chunk's own starts with `,\n    `.
        let separator = Self.separator.count
        let parts = chunks.enumerated().map { index, chunk in
            let skip = index == 0 ? separator : 0
            return SealedMemoryFile.Part(file: chunk.file, offset: skip, count: chunk.file.byteCount - skip)
        }
        return SealedMemoryFile.assembled(head: head, parts: parts, tail: tail, name: "orange-list")
    }

    private static let separator: [UInt8] = {
        var bytes: [UInt8] = []
        PrettyJSONPieces.startElement(first: false, in: &bytes)
        return bytes
    }()

    /// `old` as it was, when `run` is its tasks with the same records and the same ends.
    private static func unchanged(_ old: Chunk, _ run: ArraySlice<CompactTaskRecord>, ends: inout ListElementEnds) -> Chunk? {
        guard run.count == old.ids.count, ListOrderKey(run.first!) == old.firstKey else { return nil }
        for (offset, task) in run.enumerated() {
            guard task.id == old.ids[offset], old.records[offset].holdsSameRecord(as: task), ends.end(of: task) == old.ends[offset]
            else { return nil }
        }
        return old
    }

    /// Writes `run` as chunks of at most `tasksPerChunk` tasks (a range grown past twice that is
    /// split); false when a memory file cannot be made.
    private mutating func write(
        _ run: ArraySlice<CompactTaskRecord>, into kept: inout [Chunk], ends: inout ListElementEnds,
        pieces: inout EngineListPieces, path: (TaskID, ProjectName) -> String
    ) -> Bool {
        let size = run.count <= 2 * tasksPerChunk ? max(run.count, 1) : tasksPerChunk
        var start = run.startIndex
        while start < run.endIndex {
            let part = run[start..<min(start + size, run.endIndex)]
            start = part.endIndex
            var bytes: [UInt8] = []
            bytes.reserveCapacity(part.count * 1024)
            var partEnds: [ListElementEnd] = []
            partEnds.reserveCapacity(part.count)
            for task in part {
                PrettyJSONPieces.startElement(first: false, in: &bytes)
                bytes.append(contentsOf: pieces.opening(of: task, path: path))
                let end = ends.end(of: task)
                bytes.append(contentsOf: ends.bytes(end, of: task))
                partEnds.append(end)
            }
            guard let file = SealedMemoryFile.holding(bytes, name: "orange-list-chunk") else { return false }
            kept.append(
                Chunk(firstKey: ListOrderKey(part.first!), ids: part.map(\.id), records: Array(part), ends: partEnds, file: file))
            written += 1
        }
        return true
    }
}
