import Dispatch
import OrangeCore
import OrangeSystem
import Synchronization

/// Answers commands' reads from the engine's graph over `$ORANGE_HOME/engine.sock`
/// (docs/watcher.md, "Answers from the running engine").
///
/// The loop's thread only notes the freshness cookies it sees and, once its graph holds every
/// change before them (`WatchReducer.graphIsCurrent`), publishes the graph and marks them seen.
/// Requests are answered on the socket server's threads from the last published graph, so a
/// slow answer never holds the reading of inotify events.
final class EngineReadServer: Sendable {
    /// How long a request waits for the engine to settle past its cookie before it declines
    /// (the client falls back to reading the tree).
    static let settleTimeoutMilliseconds = 1500
    /// The largest text list answer kept, in the heap, to be sent again while the graph does
    /// not change (a `--json` list is kept in a memory file at any size: `jsonList`).
    static let largestKeptList = 4 << 20

    private struct State {
        /// Cookies the loop saw whose changes are not all in the graph yet.
        var unpublished: [String] = []
        /// Cookies the published graph covers, with when (monotonic ns), until asked for.
        var seen: [String: UInt64] = [:]
        var waiters: [String: DispatchSemaphore] = [:]
        var graph = IndexedGraph(graph: TaskGraph(), indexes: GraphIndexes(graph: TaskGraph()))
        var invalidFiles = 0
        var generation: UInt64 = 0
        var cache: (generation: UInt64, read: ReadGraph)?
        /// The last text list answered, as sent: the same list of the same graph is sent again.
        var listAnswer: (generation: UInt64, key: String, line: [UInt8])?
        /// Each task's piece of the last `--json` lists, used again while its record is the same.
        var listPieces = EngineListPieces()
        /// The last `--json` list, whole at any size, in a sealed memory file: its pages are not
        /// the engine's heap, and a command prints them without reading them (docs/decisions.md).
        var jsonList: (generation: UInt64, key: String, file: SealedMemoryFile)?
        /// The ready `--json` list in chunks, for commands that take several descriptors.
        var listChunks: EngineListChunks
        /// Its last answer, sent again while the graph and the key are the same.
        var chunkedList: (generation: UInt64, key: String, parts: [EngineReadProtocol.PassedPart], files: [SealedMemoryFile])?
    }

    private let state: Mutex<State>
    private let answers: EngineReadAnswers
    private let socket = Mutex<UnixLineServer?>(nil)
    private let tasksPerChunk: Int

    init(context: AppContext, tasksPerChunk: Int = EngineListChunks.defaultTasksPerChunk) {
        self.tasksPerChunk = tasksPerChunk
        state = Mutex(State(listChunks: EngineListChunks(tasksPerChunk: tasksPerChunk)))
        var own = context
        own.stores.engineReads = NoEngineReads()  // never ask itself
        answers = EngineReadAnswers(context: own)
    }

    /// Starts listening; a failure (a home path too long for a socket) leaves every command on
    /// the scan, which is said once in the log.
    func start(home: String) {
        do {
            let server = try UnixLineServer(path: home + "/" + EngineReadProtocol.socketName, handleAnswer: { [self] in answer($0) })
            socket.withLock { $0 = server }
        } catch {
            answers.context.logger.warn("watch", "Engine reads are not served; commands read the tree", [("error", .string("\(error)"))])
        }
    }

    func stop() {
        let server = socket.withLock { server -> UnixLineServer? in
            defer { server = nil }
            return server
        }
        server?.stop()
    }

    // MARK: - The loop's side

    /// Notes the freshness cookies among `hints` (loop thread).
    func note(_ hints: [WatchHint]) {
        var tokens: [String] = []
        for case .cookie(let token) in hints where token.hasPrefix(EngineReadProtocol.cookieTokenPrefix) { tokens.append(token) }
        if !tokens.isEmpty { state.withLock { $0.unpublished += tokens } }
    }

    /// True when a cookie waits for the graph (loop thread; cheap).
    var isWaiting: Bool { state.withLock { !$0.unpublished.isEmpty } }

    /// Hands over the graph, which holds every change before the cookies noted so far, and
    /// wakes the requests waiting for them (loop thread).
    func publish(_ graph: IndexedGraph, generation: UInt64, invalidFiles: Int, now: UInt64) {
        let woken = state.withLock { state -> [DispatchSemaphore] in
            state.graph = graph
            state.invalidFiles = invalidFiles
            state.generation = generation
            var woken: [DispatchSemaphore] = []
            for token in state.unpublished {
                if let waiter = state.waiters.removeValue(forKey: token) { woken.append(waiter) } else { state.seen[token] = now }
            }
            state.unpublished.removeAll()
            // A cookie whose command never asked (it died, or gave up): forgotten after 10 s.
            state.seen = state.seen.filter { now &- $0.value < 10_000_000_000 }
            return woken
        }
        woken.forEach { $0.signal() }
    }

    // MARK: - The socket's side

    private func answer(_ line: String) -> UnixLineServer.Answer {
        let request: EngineReadProtocol.Request
        switch EngineReadProtocol.decodeRequest(line) {
        case .success(let decoded): request = decoded
        case .failure(let reason): return UnixLineServer.Answer(bytes: Array(EngineReadProtocol.encodeDecline(reason).utf8))
        }
        guard let (graph, generation) = waitFor(request.token) else {
            return UnixLineServer.Answer(bytes: Array(EngineReadProtocol.encodeDecline(.init("the engine did not settle in time")).utf8))
        }
        let listKey = request.kind == .list ? listKey(request.arguments) : nil
        if request.kind == .list, let listKey, let query = TaskListQuery(arguments: request.arguments), query.json {
            if request.takesDescriptors, EngineListChunks.covers(query),
                let answer = chunkedListAnswer(key: listKey, graph: graph, generation: generation)
            {
                return answer
            }
            return jsonListAnswer(query, key: listKey, graph: graph, generation: generation, passing: request.takesDescriptor)
        }
        return UnixLineServer.Answer(bytes: answerBytes(request, listKey: listKey, graph: graph, generation: generation))
    }

    private func answerBytes(_ request: EngineReadProtocol.Request, listKey: String?, graph: IndexedGraph, generation: UInt64) -> [UInt8] {
        if let listKey, let last = state.withLock({ $0.listAnswer }), last.generation == generation, last.key == listKey {
            return last.line
        }
        // Indexed only for the kinds that read it: a reconcile indexes the graph itself.
        switch answers.answer(request.kind, request.arguments, read: { self.readGraph(graph, generation: generation) }, graph: graph) {
        case .success(let value):
            let line = Array(EngineReadProtocol.encodeAnswer(value).utf8)
            // Kept only when small enough not to weigh on the engine's memory (a list of every
            // ready task of 100,000 is tens of MB).
            if let listKey, line.count <= Self.largestKeptList { state.withLock { $0.listAnswer = (generation, listKey, line) } }
            return line
        case .failure(let reason): return Array(EngineReadProtocol.encodeDecline(reason).utf8)
        }
    }

    /// The `--json` list: the one kept when the graph and the key are the same, else written
    /// from the pieces and kept, in a sealed memory file. Passed as the file to a command that
    /// takes one, attached as bytes otherwise (or when no memory file can be made).
    private func jsonListAnswer(
        _ query: TaskListQuery, key: String, graph: IndexedGraph, generation: UInt64, passing: Bool
    ) -> UnixLineServer.Answer {
        let header: [(String, JSONValue)] = [("text", .string(""))]
        func attached(_ json: [UInt8]) -> UnixLineServer.Answer {
            UnixLineServer.Answer(bytes: EngineReadProtocol.encodeAnswer(header, attaching: "json_text", raw: json))
        }
        func passed(_ file: SealedMemoryFile) -> UnixLineServer.Answer {
            UnixLineServer.Answer(
                bytes: EngineReadProtocol.encodeAnswer(header, passing: "json_text", count: file.byteCount), passing: file)
        }
        let kept = state.withLock { state in state.jsonList.flatMap { $0.generation == generation && $0.key == key ? $0.file : nil } }
        if let kept {
            if passing { return passed(kept) }
            if let json = kept.bytes() { return attached(json) }
        }
        guard let modes = try? Commands.projectModes(answers.context) else {
            return UnixLineServer.Answer(bytes: Array(EngineReadProtocol.encodeDecline(.init("the projects could not be read")).utf8))
        }
        let json = jsonList(query, graph: graph, modes: modes)
        guard let file = SealedMemoryFile.holding(json, name: "orange-list") else { return attached(json) }
        state.withLock { state in
            if state.generation == generation { state.jsonList = (generation, key, file) }
        }
        return passing ? passed(file) : attached(json)
    }

    /// The ready `--json` list as parts, its chunks passed as descriptors (`EngineListChunks`):
    /// the last answer again when the graph and the key are the same, else the chunks brought
    /// up to the graph. The chunks and pieces are taken out while in use: a list answered at the
    /// same time writes its own. Nil when no memory file can be made (answered as one file).
    private func chunkedListAnswer(key: String, graph: IndexedGraph, generation: UInt64) -> UnixLineServer.Answer? {
        func answer(_ parts: [EngineReadProtocol.PassedPart], _ files: [SealedMemoryFile]) -> UnixLineServer.Answer {
            UnixLineServer.Answer(
                bytes: EngineReadProtocol.encodeAnswer([("text", .string(""))], passing: "json_text", parts: parts), passingAll: files)
        }
        if let kept = state.withLock({ $0.chunkedList }), kept.generation == generation, kept.key == key {
            return answer(kept.parts, kept.files)
        }
        guard let modes = try? Commands.projectModes(answers.context) else { return nil }
        var (chunks, pieces) = state.withLock { state in
            defer { (state.listChunks, state.listPieces) = (EngineListChunks(tasksPerChunk: tasksPerChunk), EngineListPieces()) }
            return (state.listChunks, state.listPieces)
        }
        let tasks = answers.context.stores.tasks
        let parts = chunks.render(key: key, graph: graph, modes: modes, pieces: &pieces) { tasks.taskFilePath($0, in: $1) }
        let files = chunks.files
        state.withLock { state in
            (state.listChunks, state.listPieces) = (chunks, pieces)
            if let parts, state.generation == generation { state.chunkedList = (generation, key, parts, files) }
        }
        return parts.map { answer($0, files) }
    }

    /// A `--json` list written from the pieces kept since the last one (`EngineListPieces`).
    /// The pieces are taken out while in use: a list answered at the same time starts from none.
    private func jsonList(_ query: TaskListQuery, graph: IndexedGraph, modes: [ProjectName: ProjectModes]) -> [UInt8] {
        var pieces = state.withLock { state in
            defer { state.listPieces = EngineListPieces() }
            return state.listPieces
        }
        let tasks = answers.context.stores.tasks
        let json = pieces.render(query, graph: graph, modes: modes) { tasks.taskFilePath($0, in: $1) }
        state.withLock { $0.listPieces = pieces }
        return json
    }

    /// What a list's answer depends on besides the graph: its arguments and the projects'
    /// modes (shown as each task's effective modes). Nil when the projects cannot be read.
    private func listKey(_ arguments: JSONValue) -> String? {
        guard let modes = try? Commands.projectModes(answers.context) else { return nil }
        return arguments.rendered() + "\n" + modes.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n")
    }

    /// Waits until the published graph covers `token`'s cookie; nil after the timeout, or when
    /// the graph is not the whole truth (an invalid file's last good version is kept for
    /// display, while a scan leaves the task out).
    private func waitFor(_ token: String) -> (graph: IndexedGraph, generation: UInt64)? {
        let waiter = state.withLock { state -> DispatchSemaphore? in
            if state.seen.removeValue(forKey: token) != nil { return nil }
            let waiter = DispatchSemaphore(value: 0)
            state.waiters[token] = waiter
            return waiter
        }
        if let waiter, waiter.wait(timeout: .now() + .milliseconds(Self.settleTimeoutMilliseconds)) == .timedOut {
            // Published in between: the signal is consumed so nothing is left pending.
            let removed = state.withLock { $0.waiters.removeValue(forKey: token) != nil }
            if removed { return nil }
            waiter.wait()
        }
        let (graph, generation, invalid) = state.withLock { ($0.graph, $0.generation, $0.invalidFiles) }
        return invalid == 0 ? (graph, generation) : nil
    }

    /// The graph sorted for reads, once per graph version (the cycle index is the engine's).
    private func readGraph(_ graph: IndexedGraph, generation: UInt64) -> ReadGraph {
        if let cached = state.withLock({ $0.cache }), cached.generation == generation { return cached.read }
        // Built outside the lock: sorting takes milliseconds on a large tree.
        let read = ReadGraph(engine: graph.graph, indexes: graph.indexes)
        state.withLock { state in
            if state.generation == generation { state.cache = (generation, read) }
        }
        return read
    }
}
