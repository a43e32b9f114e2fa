import OrangeCore

/// The graph a read is answered from, indexed once: a scan of the tree, or the engine's graph
/// (docs/watcher.md, "Answers from the running engine"). Both give the same answers: the
/// commands render from this and nothing else.
struct ReadGraph {
    var view: GraphView
    /// Every task in the scan's order (created, then id), as `task list` prints them.
    let ordered: [TaskRecord]
    /// The engine's indexes, which know every task's readiness without computing it.
    var indexes: GraphIndexes?

    /// From a scan, whose tasks are already in that order.
    init(scanned tasks: [TaskRecord]) {
        view = GraphView(tasks: tasks)
        ordered = tasks
    }

    /// From the engine's graph (with its indexes when known), sorted as a scan sorts.
    init(engine graph: TaskGraph, indexes: GraphIndexes? = nil) {
        view = GraphView(graph: graph, cycles: indexes?.cycles)
        ordered = graph.tasks.values.sorted(by: Self.scanOrder)
        self.indexes = indexes
    }

    func isReady(_ id: TaskID) -> Bool { indexes?.isReady(id) ?? view.isReady(id) }

    /// The order of a scan: created, then id.
    static func scanOrder(_ a: TaskRecord, _ b: TaskRecord) -> Bool {
        let x = a.createdAt?.millisecondsSinceEpoch ?? Int64.min, y = b.createdAt?.millisecondsSinceEpoch ?? Int64.min
        return x != y ? x < y : a.id < b.id
    }
}

extension CommandResult {
    /// The answer an engine sends back for a read: the text, or the JSON already rendered in the
    /// envelope every `--json` output has (docs/json.md).
    var engineAnswer: JSONValue {
        .object([
            ("text", .string(text)),
            ("json_text", json == .null ? .null : .string(JSONEnvelope.wrap(json).prettyRendered() + "\n")),
        ])
    }

    /// The result carried by an engine's answer; nil when it is not one.
    init?(engineAnswer answer: JSONValue) {
        guard let text = answer["text"]?.stringValue else { return nil }
        self.init(text: text, json: .null)
        renderedJSON = answer["json_text"]?.stringValue
    }

    /// The same, with the JSON held outside this process when the engine passed it so.
    init?(engineAnswer answer: EngineOutputAnswer) {
        self.init(engineAnswer: answer.answer)
        preparedJSON = answer.output
    }
}

extension Commands {
    /// Asks the engine; nil when it did not answer. An answer that is an error (`{"error": …}`)
    /// is thrown as the scan would have thrown it.
    func askEngine(_ kind: EngineReadKind, _ arguments: JSONValue) throws -> JSONValue? {
        try engineAnswered(kind, context.stores.engineReads.ask(kind, arguments))
    }

    /// `askEngine` for a command that prints the answer's `outputKey` text as it is (the
    /// `--json` list): the engine may pass it as a descriptor, printed without being read.
    func askEngineForOutput(_ kind: EngineReadKind, _ arguments: JSONValue, outputKey: String) throws -> EngineOutputAnswer? {
        let answer = context.stores.engineReads.askForOutput(kind, arguments, outputKey: outputKey)
        return try engineAnswered(kind, answer?.answer).flatMap { _ in answer }
    }

    /// `answer`, or nil when no engine answered; an answer that is an error is thrown.
    private func engineAnswered(_ kind: EngineReadKind, _ answer: JSONValue?) throws -> JSONValue? {
        guard let answer else {
            // For tests and benchmarks: prove a figure or a result came from the engine.
            if context.environment["ORANGE_ENGINE_READS"] == "required" {
                throw OrangeError("no engine answered (\(kind.rawValue)) and ORANGE_ENGINE_READS=required")
            }
            return nil
        }
        if let message = answer["error"]?.stringValue { throw OrangeError(message) }
        return answer
    }
}
