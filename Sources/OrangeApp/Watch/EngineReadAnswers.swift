import OrangeCore
import Synchronization

/// What the engine answers to each kind of read, from its graph: the same functions the
/// commands render a scan with, so both sides give the same result.
struct EngineReadAnswers: Sendable {
    let context: AppContext

    func answer(
        _ kind: EngineReadKind, _ arguments: JSONValue, read readGraph: () -> ReadGraph, graph engineGraph: IndexedGraph
    ) -> Result<JSONValue, EngineReadProtocol.DeclineReason> {
        let graph = engineGraph.graph
        do {
            // Sorted lazily: only a list and a graph read every task in order.
            var indexed: ReadGraph?
            var read: ReadGraph {
                if let indexed { return indexed }
                let made = readGraph()
                indexed = made
                return made
            }
            switch kind {
            case .list:
                guard let query = TaskListQuery(arguments: arguments) else { return .failure(.init("bad list arguments")) }
                var read = read
                read.view.projectModes = try Commands.projectModes(context)
                return .success(Commands.taskList(query, in: read, context: context).engineAnswer)
            case .show:
                let task = try existing(arguments, in: graph)
                var view = engineGraph.view
                view.projectModes = try Commands.projectModes(context)
                return .success(Commands.taskShow(task, in: view, context: context).engineAnswer)
            case .why:
                return .success(
                    try Commands.taskWhy(try existing(arguments, in: graph).id, in: engineGraph.view, context: context).engineAnswer)
            case .graph:
                let format = arguments["format"]?.stringValue ?? "tree"
                // Each task's effective modes come from its project's, as in the scan.
                let modes = try Commands.projectModes(context)
                guard let name = arguments["project"]?.stringValue else {
                    var view = read.view
                    view.projectModes = modes
                    return .success(Commands.graph(of: read.ordered, view: view, format: format, context: context).engineAnswer)
                }
                // One project's tasks alone, as a scan of that project's folder sees them.
                let tasks = read.ordered.filter { $0.project.rawValue == name }
                var view = GraphView(tasks: tasks)
                view.projectModes = modes
                return .success(Commands.graph(of: tasks, view: view, format: format, context: context).engineAnswer)
            case .reconcile:
                let ids = (arguments["ids"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(TaskID.init(validating:)) }
                let spawn = arguments["spawn"]?.boolValue ?? true
                // Its warnings (a ready task not started, and why) are the command's: sent back.
                let warnings = Mutex<[String]>([])
                var own = context
                own.console.diagnostics = { line in warnings.withLock { $0.append(line) } }
                let transitions = try Reconciler(context: own).reconcile(
                    changed: ids, spawn: spawn, current: graph, indexes: engineGraph.indexes)
                return .success(
                    .object([
                        ("transitions", .array(transitions.map(\.json))), ("lines", .array(transitions.map { .string($0.line) })),
                        ("warnings", .array(warnings.withLock { $0 }.map { .string($0) })),
                    ]))
            case .dashboard:
                guard let query = DashboardQuery(arguments: arguments) else { return .failure(.init("bad dashboard arguments")) }
                return .success(query.answer(graph: graph, projects: try context.stores.projects.list(), now: context.clock.now()))
            case .checkCreate, .checkUpdate:
                guard let value = try EngineGraphChecks(graph: engineGraph).answer(kind, arguments) else {
                    return .failure(.init("bad check arguments, or a task the engine does not hold"))
                }
                return .success(value)
            }
        } catch let error as OrangeError {
            return .success(.object([("error", .string(error.message))]))
        } catch {
            return .success(.object([("error", .string("\(error)"))]))
        }
    }

    /// The task `arguments["id"]` names, or the error `requireTask` gives.
    private func existing(_ arguments: JSONValue, in graph: TaskGraph) throws -> TaskRecord {
        let text = arguments["id"]?.stringValue ?? ""
        guard let id = TaskID(validating: text), let task = graph[id] else {
            throw OrangeError("task '\(text)' not found; see 'orange task list --all'")
        }
        return task
    }
}
