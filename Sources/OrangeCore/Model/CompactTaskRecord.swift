/// A `TaskRecord` as a holder of every task (the engine's graph) stores it: the fields the
/// engine decides on inline, the rest in one shared box that exists only when one of them is set.
///
/// A `TaskRecord` is about 300 bytes inline, most of them optional fields that are nil for nearly
/// every task (workspace, session, PR, errors, modes, hold, unknown keys) and a body the engine
/// never keeps. Here a task takes 112 bytes, and a running or annotated task one more allocation
/// (docs/performance.md, the engine's memory). `record` gives back exactly the record stored.
public struct CompactTaskRecord: Sendable {
    public let id: TaskID
    public let project: ProjectName
    /// The branch, then the description, in one string. Both are nearly always longer than the
    /// 15 bytes Swift keeps inline, so apart they cost two heap strings per task, each with its
    /// own 32-byte header and rounding (about 5 MB at 100,000 tasks, docs/performance.md).
    private let texts: String
    public let parent: TaskID?
    public let blockedBy: [TaskID]
    public let children: [TaskID]
    private let createdAtMilliseconds: Int64
    private let updatedAtMilliseconds: Int64
    /// Everything else, nil when every field in it has its default value.
    private let cold: ColdFields?
    public internal(set) var status: TaskStatus
    /// Bit 0: `createdAt` is set; bit 1: `updatedAt` is set.
    private let timestampFlags: UInt8
    /// The branch's length in UTF-8 bytes: where the description starts in `texts`. Declared
    /// last, beside the two bytes above: in the middle it would cost 8 bytes of padding.
    private let branchLength: UInt32

    /// The fields the engine rarely reads; immutable and shared between copies.
    private final class ColdFields: Sendable {
        let harness: String
        let workspace: String?
        let tmuxSession: String?
        let prURL: String?
        let spawnFailures: Int
        let lastError: String?
        let spawnRetryAt: Timestamp?
        let agentCrashes: Int
        let execution: ExecutionMode?
        let branches: BranchModel?
        let reassessed: [TaskID]
        let hold: String?
        let extra: [FrontmatterEntry]
        let body: String

        init(_ record: TaskRecord) {
            harness = record.harness
            workspace = record.workspace
            tmuxSession = record.tmuxSession
            prURL = record.prURL
            spawnFailures = record.spawnFailures
            lastError = record.lastError
            spawnRetryAt = record.spawnRetryAt
            agentCrashes = record.agentCrashes
            execution = record.execution
            branches = record.branches
            reassessed = record.reassessed
            hold = record.hold
            extra = record.extra
            body = record.body
        }

        /// True when a record's cold fields are all at the value `TaskRecord.init` gives them.
        static func areDefault(_ record: TaskRecord) -> Bool {
            record.harness == defaultHarness && record.workspace == nil && record.tmuxSession == nil && record.prURL == nil
                && record.spawnFailures == 0 && record.lastError == nil && record.spawnRetryAt == nil
                && record.agentCrashes == 0 && record.execution == nil && record.branches == nil
                && record.reassessed.isEmpty && record.hold == nil && record.extra.isEmpty && record.body.isEmpty
        }

        static let defaultHarness = TaskRecord(id: TaskID(validating: "x")!, project: ProjectName(validating: "x")!, branch: "").harness
    }

    public init(_ record: TaskRecord) {
        id = record.id
        project = record.project
        texts = record.branch + record.description
        branchLength = UInt32(record.branch.utf8.count)
        parent = record.parent
        blockedBy = record.blockedBy
        children = record.children
        status = record.status
        createdAtMilliseconds = record.createdAt?.millisecondsSinceEpoch ?? 0
        updatedAtMilliseconds = record.updatedAt?.millisecondsSinceEpoch ?? 0
        timestampFlags = (record.createdAt == nil ? 0 : 1) | (record.updatedAt == nil ? 0 : 2)
        cold = ColdFields.areDefault(record) ? nil : ColdFields(record)
    }

    /// The same record with these (equal) ids: the interner's shared copies.
    func replacingIDs(id: TaskID, project: ProjectName, parent: TaskID?, blockedBy: [TaskID], children: [TaskID]) -> Self {
        Self(
            id: id, project: project, texts: texts, branchLength: branchLength, parent: parent, blockedBy: blockedBy,
            children: children, createdAtMilliseconds: createdAtMilliseconds, updatedAtMilliseconds: updatedAtMilliseconds,
            cold: cold, status: status, timestampFlags: timestampFlags)
    }

    private init(
        id: TaskID, project: ProjectName, texts: String, branchLength: UInt32, parent: TaskID?, blockedBy: [TaskID],
        children: [TaskID], createdAtMilliseconds: Int64, updatedAtMilliseconds: Int64, cold: ColdFields?, status: TaskStatus,
        timestampFlags: UInt8
    ) {
        (self.id, self.project, self.texts, self.branchLength, self.parent) = (id, project, texts, branchLength, parent)
        (self.blockedBy, self.children, self.createdAtMilliseconds, self.updatedAtMilliseconds) =
            (blockedBy, children, createdAtMilliseconds, updatedAtMilliseconds)
        (self.cold, self.status, self.timestampFlags) = (cold, status, timestampFlags)
    }

    public var branch: String { String(texts[..<descriptionStart]) }

    /// Whether the branch is `branch`, byte for byte as git compares branch names, read where
    /// the text is stored: no string is made (a `task create`'s check asks it of every task).
    public func hasBranch(_ branch: String) -> Bool {
        branch.utf8.count == Int(branchLength) && texts.utf8.prefix(Int(branchLength)).elementsEqual(branch.utf8)
    }
    public var description: String { String(texts[descriptionStart...]) }

    /// A boundary between two whole strings, so a valid index of `texts` as a `String`.
    private var descriptionStart: String.Index {
        texts.utf8.index(texts.utf8.startIndex, offsetBy: Int(branchLength))
    }

    public var createdAt: Timestamp? {
        timestampFlags & 1 == 0 ? nil : Timestamp(millisecondsSinceEpoch: createdAtMilliseconds)
    }

    public var updatedAt: Timestamp? {
        timestampFlags & 2 == 0 ? nil : Timestamp(millisecondsSinceEpoch: updatedAtMilliseconds)
    }

    public var hold: String? { cold?.hold }
    public var execution: ExecutionMode? { cold?.execution }
    public var branches: BranchModel? { cold?.branches }
    public var workspace: String? { cold?.workspace }
    public var tmuxSession: String? { cold?.tmuxSession }
    public var harness: String { cold?.harness ?? ColdFields.defaultHarness }
    public var lastError: String? { cold?.lastError }
    public var prURL: String? { cold?.prURL }
    /// Front matter keys orange does not model, in their order.
    public var extra: [FrontmatterEntry] { cold?.extra ?? [] }

    /// True when both hold the same record, without building either (a list's kept piece is
    /// used again while its task's record is the same); shared cold fields compare by identity.
    public func holdsSameRecord(as other: CompactTaskRecord) -> Bool {
        guard id == other.id, project == other.project, branchLength == other.branchLength, texts == other.texts,
            parent == other.parent, blockedBy == other.blockedBy, children == other.children, status == other.status,
            createdAtMilliseconds == other.createdAtMilliseconds, updatedAtMilliseconds == other.updatedAtMilliseconds,
            timestampFlags == other.timestampFlags
        else { return false }
        if cold === other.cold { return true }
        // Nil only when every cold field has its default: one nil and one set differ.
        guard cold != nil, other.cold != nil else { return false }
        return record == other.record
    }

    /// The record as it was stored.
    public var record: TaskRecord {
        TaskRecord(
            id: id, project: project, branch: branch, harness: cold?.harness ?? ColdFields.defaultHarness, status: status,
            description: description, parent: parent, blockedBy: blockedBy, children: children,
            workspace: cold?.workspace, tmuxSession: cold?.tmuxSession, createdAt: createdAt, updatedAt: updatedAt,
            prURL: cold?.prURL, spawnFailures: cold?.spawnFailures ?? 0, lastError: cold?.lastError,
            spawnRetryAt: cold?.spawnRetryAt, agentCrashes: cold?.agentCrashes ?? 0, execution: cold?.execution,
            branches: cold?.branches, reassessed: cold?.reassessed ?? [], hold: cold?.hold, extra: cold?.extra ?? [],
            body: cold?.body ?? "")
    }
}
