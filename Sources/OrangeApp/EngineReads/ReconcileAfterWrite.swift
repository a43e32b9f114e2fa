import OrangeCore

/// The transitions a command's own reconcile made, as it prints them.
struct ReconcileOutcome {
    var lines: [String]
    var json: [JSONValue]
    var isEmpty: Bool { lines.isEmpty }

    init(_ transitions: [EngineTransition]) {
        lines = transitions.map(\.line)
        json = transitions.map(\.json)
    }

    init?(engineAnswer answer: JSONValue) {
        guard let lines = answer["lines"]?.arrayValue, let json = answer["transitions"]?.arrayValue else { return nil }
        self.lines = lines.compactMap(\.stringValue)
        self.json = json
    }
}

extension Commands {
    /// The reconcile after a command's writes (docs/decisions.md, "A command's reconcile when an
    /// engine runs"): decided by the engine on its graph once its graph holds these writes, else
    /// here on the tree read from disk. Either way it runs before the command returns, so what
    /// it completes or starts is in the command's output and in the next command's reads.
    func reconcileAfterWrite(_ ids: [TaskID], spawn: Bool = true) throws -> ReconcileOutcome {
        let arguments = JSONValue.object([("ids", .array(ids.map { .string($0.rawValue) })), ("spawn", .bool(spawn))])
        // An agent's own command reconciles here, as before: the engine's worker may be ending
        // this very agent's session for another command, waiting for its processes (this one
        // among them) to exit, while this one would wait for the worker.
        let isAgent = context.environment["ORANGE_TASK_ID"] != nil
        if !isAgent, let answer = try askEngine(.reconcile, arguments), let outcome = ReconcileOutcome(engineAnswer: answer) {
            for warning in answer["warnings"]?.arrayValue ?? [] { warning.stringValue.map(context.console.diagnostics) }
            return outcome
        }
        return ReconcileOutcome(try Reconciler(context: context).reconcile(changed: ids, spawn: spawn))
    }
}
