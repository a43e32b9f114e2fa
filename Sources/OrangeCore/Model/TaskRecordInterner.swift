/// Makes every record a long-running holder keeps share one copy of each task id and project
/// name.
///
/// Generated ids are 21 characters, too long for Swift's inline small strings, so each one read
/// from a file is a heap allocation of its own: a task's id in its own file, in its parent's
/// `children`, in every dependent's `blocked_by`. The engine holds every task of the tree, and
/// without this each of those mentions kept its own copy (docs/performance.md). Interned
/// records are equal to the originals; only their storage is shared.
public struct TaskRecordInterner: Sendable {
    /// Every id held, each once, and their places: a `Set<TaskID>` of 100,000 ids had 262,144
    /// buckets of 16 bytes (4.2 MB); here 16 bytes an id and an 8-byte slot of `PositionIndex`
    /// for at most every seven eighths of one (2.6 MB).
    private var ids = ChunkedArray<TaskID>()
    private var positions = PositionIndex()
    private var projects: Set<ProjectName> = []
    /// The project interned last: a tree's tasks come project by project, so most records need
    /// no lookup for theirs.
    private var lastProject: ProjectName?

    public init() {}

    /// How many distinct ids are held; ids are never dropped (a removed task's id costs one
    /// string until the holder goes away, and a deleted task is rare next to an edited one).
    public var idCount: Int { ids.count }

    /// The record with its ids and project replaced by the shared copies.
    public mutating func intern(_ record: TaskRecord) -> TaskRecord {
        var record = record
        record.id = intern(record.id)
        record.project = intern(record.project)
        record.parent = record.parent.map { intern($0) }
        if !record.blockedBy.isEmpty { record.blockedBy = record.blockedBy.map { intern($0) } }
        if !record.children.isEmpty { record.children = record.children.map { intern($0) } }
        if !record.reassessed.isEmpty { record.reassessed = record.reassessed.map { intern($0) } }
        return record
    }

    /// `intern` of a record in its compact form (the ids in its cold fields are left as they are:
    /// `reassessed` is rare). `folderID`: the name of the folder the record was read from, the
    /// same id in the string its reader already holds: that string becomes the shared copy when
    /// the id is new.
    public mutating func intern(_ record: CompactTaskRecord, folderID: TaskID? = nil) -> CompactTaskRecord {
        let id = intern(folderID.flatMap { $0 == record.id ? $0 : nil } ?? record.id)
        return record.replacingIDs(
            id: id, project: intern(record.project), parent: record.parent.map { intern($0) },
            blockedBy: record.blockedBy.map { intern($0) }, children: record.children.map { intern($0) })
    }

    private mutating func intern(_ project: ProjectName) -> ProjectName {
        if let last = lastProject, last == project { return last }
        let shared = projects.insert(project).memberAfterInsert
        lastProject = shared
        return shared
    }

    public mutating func intern(_ id: TaskID) -> TaskID {
        if let position = positions.insertIfAbsent(id, at: ids.count, keyAt: { ids[$0] }) { return ids[position] }
        ids.append(id)
        return id
    }
}
