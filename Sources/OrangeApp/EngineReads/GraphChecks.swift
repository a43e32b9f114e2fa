import OrangeCore

/// The checks of `task create` and `task update` that read the whole graph, computed by one
/// function from either a scan or the engine's graph (`check-create`, `check-update`).
enum GraphChecks {
    /// What `task create` learns from the graph: the parent's harness, and the first problem
    /// (branch in use, blocker or parent missing or elsewhere, a cycle), if any.
    struct CreateOutcome: Equatable {
        var parentHarness: String?
        var problem: String?

        var json: JSONValue { .object([("parent_harness", .optional(parentHarness)), ("problem", .optional(problem))]) }
        init(parentHarness: String?, problem: String?) { (self.parentHarness, self.problem) = (parentHarness, problem) }
        init(json: JSONValue) { (parentHarness, problem) = (json["parent_harness"]?.stringValue, json["problem"]?.stringValue) }
    }

    /// The new task as far as the graph is concerned.
    struct NewTask: Equatable {
        var id: TaskID
        var project: ProjectName
        var branch: String
        var parent: TaskID?
        var blockedBy: [TaskID]

        var json: JSONValue {
            .object([
                ("id", .string(id.rawValue)), ("project", .string(project.rawValue)), ("branch", .string(branch)),
                ("parent", .optional(parent?.rawValue)), ("blocked_by", .array(blockedBy.map { .string($0.rawValue) })),
            ])
        }

        init(id: TaskID, project: ProjectName, branch: String, parent: TaskID?, blockedBy: [TaskID]) {
            (self.id, self.project, self.branch, self.parent, self.blockedBy) = (id, project, branch, parent, blockedBy)
        }

        init?(json: JSONValue) {
            guard let id = json["id"]?.stringValue.flatMap(TaskID.init(validating:)),
                let project = json["project"]?.stringValue.flatMap(ProjectName.init(validating:)),
                let branch = json["branch"]?.stringValue
            else { return nil }
            (self.id, self.project, self.branch) = (id, project, branch)
            parent = json["parent"]?.stringValue.flatMap(TaskID.init(validating:))
            blockedBy = (json["blocked_by"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(TaskID.init(validating:)) }
        }
    }

    static func create(_ new: NewTask, graph: TaskGraph) -> CreateOutcome {
        let harness = new.parent.flatMap { graph[$0]?.harness }
        if let clash = firstInScanOrder(
            graph, where: { $0.pointee.hasBranch(new.branch) && $0.pointee.project == new.project && !$0.pointee.status.isTerminal })
        {
            return CreateOutcome(
                parentHarness: harness,
                problem: "task \(clash.id) (\(clash.status.rawValue)) already uses branch '\(new.branch)' in project '\(new.project)'")
        }
        let task = TaskRecord(id: new.id, project: new.project, branch: new.branch, parent: new.parent, blockedBy: new.blockedBy)
        do { try graph.validate(task) } catch { return CreateOutcome(parentHarness: harness, problem: error.description) }
        return CreateOutcome(parentHarness: harness, problem: nil)
    }

    /// What one `task update` asks of the graph; each question only when the update makes it.
    struct UpdateQuestion: Equatable {
        /// The task as read under its lock.
        var record: TaskRecord
        var newStatus: TaskStatus?
        var actor: TransitionActor
        var newBlockers: [TaskID]?
        var branch: String?

        var isEmpty: Bool { newStatus == nil && newBlockers == nil && branch == nil }

        var json: JSONValue {
            .object([
                ("id", .string(record.id.rawValue)), ("project", .string(record.project.rawValue)),
                ("status", .string(record.status.rawValue)), ("parent", .optional(record.parent?.rawValue)),
                ("blocked_by", .array(record.blockedBy.map { .string($0.rawValue) })),
                ("new_status", .optional(newStatus?.rawValue)), ("actor", .string(actor.rawValue)),
                ("new_blocked_by", newBlockers.map { .array($0.map { .string($0.rawValue) }) } ?? .null),
                ("branch", .optional(branch)),
            ])
        }

        init(record: TaskRecord, newStatus: TaskStatus?, actor: TransitionActor, newBlockers: [TaskID]?, branch: String?) {
            (self.record, self.newStatus, self.actor, self.newBlockers, self.branch) = (record, newStatus, actor, newBlockers, branch)
        }

        /// The question, on the engine's side: the record is the engine's, with the fields the
        /// checks read set as the command read them under the lock.
        init?(json: JSONValue, graph: TaskGraph) {
            func ids(_ value: JSONValue?) -> [TaskID] {
                (value?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(TaskID.init(validating:)) }
            }
            guard let id = json["id"]?.stringValue.flatMap(TaskID.init(validating:)), var record = graph[id],
                let status = json["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)),
                let actor = json["actor"]?.stringValue.flatMap(TransitionActor.init(rawValue:))
            else { return nil }
            record.status = status
            record.parent = json["parent"]?.stringValue.flatMap(TaskID.init(validating:))
            record.blockedBy = ids(json["blocked_by"])
            self.record = record
            self.actor = actor
            newStatus = json["new_status"]?.stringValue.flatMap(TaskStatus.init(rawValue:))
            newBlockers = json["new_blocked_by"]?.arrayValue == nil ? nil : ids(json["new_blocked_by"])
            branch = json["branch"]?.stringValue
        }
    }

    /// The answers, kept apart so the command throws them at the same points as before.
    struct UpdateOutcome: Equatable {
        var transitionProblem: String?
        var edgeProblem: String?
        var branchClash: TaskID?

        var json: JSONValue {
            .object([
                ("transition_problem", .optional(transitionProblem)), ("edge_problem", .optional(edgeProblem)),
                ("branch_clash", .optional(branchClash?.rawValue)),
            ])
        }
        init(transitionProblem: String? = nil, edgeProblem: String? = nil, branchClash: TaskID? = nil) {
            (self.transitionProblem, self.edgeProblem, self.branchClash) = (transitionProblem, edgeProblem, branchClash)
        }
        init(json: JSONValue) {
            transitionProblem = json["transition_problem"]?.stringValue
            edgeProblem = json["edge_problem"]?.stringValue
            branchClash = json["branch_clash"]?.stringValue.flatMap(TaskID.init(validating:))
        }
    }

    static func update(_ question: UpdateQuestion, view: GraphView) -> UpdateOutcome {
        var outcome = UpdateOutcome()
        let record = question.record
        if let status = question.newStatus {
            do { try view.checkTransition(record, to: status, by: question.actor) } catch {
                outcome.transitionProblem = (error as? OrangeError)?.message ?? "\(error)"
            }
        }
        if let blockers = question.newBlockers {
            var edited = record
            edited.blockedBy = blockers
            do { try view.validateEdit(old: record, new: edited) } catch {
                outcome.edgeProblem = (error as? OrangeError)?.message ?? "\(error)"
            }
        }
        if let branch = question.branch {
            outcome.branchClash =
                firstInScanOrder(
                    view.graph, where: { $0.pointee.hasBranch(branch) && $0.pointee.id != record.id && !$0.pointee.status.isTerminal })?.id
        }
        return outcome
    }

    /// The first task a scan lists (created, then id) among those matching: the matches are
    /// few, so they are ordered instead of every task.
    /// On the compact records where they are stored: building every record of 100,000 to
    /// compare a branch cost most of a `task create`'s check, and copying each compact record
    /// (a retain and a release of each of its references) still a fifth of the engine's time
    /// under back-to-back creates (docs/performance.md, section 6).
    static func firstInScanOrder(_ graph: TaskGraph, where match: (UnsafePointer<CompactTaskRecord>) -> Bool) -> TaskRecord? {
        graph.tasks.compactValues.filterInPlace(match).map(\.record).min(by: ReadGraph.scanOrder)
    }
}

/// The engine's side of the checks.
struct EngineGraphChecks {
    let graph: IndexedGraph

    func answer(_ kind: EngineReadKind, _ arguments: JSONValue) throws -> JSONValue? {
        switch kind {
        case .checkCreate:
            return GraphChecks.NewTask(json: arguments).map { GraphChecks.create($0, graph: graph.graph).json }
        case .checkUpdate:
            return GraphChecks.UpdateQuestion(json: arguments, graph: graph.graph).map { GraphChecks.update($0, view: graph.view).json }
        default:
            return nil
        }
    }
}
