import Synchronization

/// The dashboard's rows, built once for what they show (graph, scope, filter, layout, sessions,
/// git figures, busy tasks) and then only read: a cursor move or a redraw looks rows up here
/// instead of filtering, sorting and evaluating every task in the tree again (issue 18: "a
/// keystroke must cost the rows on screen").
public struct DashboardRowModel: Sendable {
    public let rows: [DashboardRow]
    /// The ids of the rows that have one, in display order, and each one's place among them.
    let ids: [TaskID]
    let position: [TaskID: Int]
    /// Each row's index in `rows`, by id.
    let rowIndex: [TaskID: Int]
    /// The table line each row starts on (a row is its line plus one line per note); the last
    /// entry is the table's height.
    let lineStart: [Int]
    /// Tasks of the scope holding a workspace, for the header's pool figure.
    let poolUsed: Int

    init(rows: [DashboardRow], poolUsed: Int) {
        self.rows = rows
        self.poolUsed = poolUsed
        var ids: [TaskID] = []
        var position: [TaskID: Int] = [:]
        var rowIndex: [TaskID: Int] = [:]
        var lineStart: [Int] = [0]
        lineStart.reserveCapacity(rows.count + 1)
        for (index, row) in rows.enumerated() {
            if let id = row.id {
                position[id] = ids.count
                rowIndex[id] = index
                ids.append(id)
            }
            lineStart.append(lineStart[index] + 1 + row.notes.count)
        }
        (self.ids, self.position, self.rowIndex, self.lineStart) = (ids, position, rowIndex, lineStart)
    }

    /// The index of the row whose lines include table line `line`.
    func row(atLine line: Int) -> Int {
        // The last row starting at or before the line (the first when there is none).
        max(0, lineStart.prefix(rows.count).partitioningIndex { $0 > line } - 1)
    }
}

/// Where a state keeps its built rows. A state that changes what the rows show gets a new, empty
/// cache, so copies of a state never see each other's rows; a state that only moves the cursor
/// keeps it.
final class DashboardRowCache: Sendable {
    private let model = Mutex<DashboardRowModel?>(nil)
    /// Shared by every cache of one state's life: how many models were built (tests check that a
    /// cursor move builds none).
    let builds: DashboardRowBuilds

    init(builds: DashboardRowBuilds = DashboardRowBuilds()) {
        self.builds = builds
    }

    /// The model, built by `build` the first time. Built outside the lock: the UI thread asks
    /// `built` while another thread builds (rows built twice at once are the same rows; the
    /// first stored is kept).
    func model(_ build: () -> DashboardRowModel) -> DashboardRowModel {
        if let cached = built { return cached }
        let made = build()
        builds.count.add(1, ordering: .relaxed)
        return model.withLock { cached in
            if let cached { return cached }
            cached = made
            return made
        }
    }

    /// The model if it is built; never waits for a build.
    var built: DashboardRowModel? { model.withLock { $0 } }
}

final class DashboardRowBuilds: Sendable {
    let count = Atomic<Int>(0)
}
