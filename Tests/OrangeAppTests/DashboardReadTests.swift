import OrangeCore
import Testing

@testable import OrangeApp

/// The `dashboard` read: the rows a running engine serves are the rows the dashboard computes
/// from a scan (the whole table for `dashboard --json`, checked against the scan over random
/// graphs in EngineReadsPropertyTests; here the first screen a following dashboard shows).
@Suite struct DashboardReadTests {
    static let shop = ProjectName(validating: "shop")!
    static let now = Timestamp(millisecondsSinceEpoch: 2_000_000_000)

    static func task(
        _ id: String, _ status: TaskStatus, ago: Int64, blockedBy: [String] = [], parent: String? = nil, children: [String] = []
    )
        -> TaskRecord
    {
        TaskRecord(
            id: TaskID(validating: id)!, project: shop, branch: "b-\(id)", status: status, description: "about \(id)",
            parent: parent.flatMap(TaskID.init(validating:)), blockedBy: blockedBy.compactMap(TaskID.init(validating:)),
            children: children.compactMap(TaskID.init(validating:)), workspace: status == .working ? "shop--1" : nil,
            tmuxSession: status == .working ? "shop/b-\(id)" : nil,
            createdAt: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - ago * 1000),
            updatedAt: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - ago * 1000))
    }

    static let graph = TaskGraph([
        task("p1", .delegated, ago: 100, children: ["c1", "c2", "c3"]),
        task("c1", .done, ago: 90, parent: "p1"), task("c2", .done, ago: 80, parent: "p1"),
        task("c3", .working, ago: 5, parent: "p1"),
        task("a1", .pending, ago: 50), task("a2", .pending, ago: 40, blockedBy: ["a1", "gone1"]),
        task("x1", .pending, ago: 30, blockedBy: ["x2"]), task("x2", .pending, ago: 20, blockedBy: ["x1"]),
        task("d1", .done, ago: 10),
    ])

    @Test(arguments: [DashboardState.Layout.nested, .flat], [1, 4, 9, 50])
    func theFirstRowsServedAreTheFirstRowsOfTheWholeTable(layout: DashboardState.Layout, limit: Int) throws {
        let query = DashboardQuery(project: nil, layout: layout, sessions: ["shop/b-c3": false], limit: limit)
        // Through the wire format, as a following dashboard receives them.
        let wire = EngineReadProtocol.encodeAnswer(query.answer(graph: Self.graph, projects: [], now: Self.now))
        let answer = try #require(EngineReadProtocol.decodeAnswer(Array(wire.utf8)))
        let served = try #require(DashboardServedRows(engineAnswer: answer))
        let whole = query.state(graph: Self.graph, invalid: [], projects: [], now: Self.now).rows()
        // The served rows have no git figures or activity (the follower's own rows add them).
        let expected = whole.prefix(limit).map { row in
            var row = row
            (row.activity, row.activityTime) = ("", nil)
            return row
        }
        #expect(served.rows == Array(expected))
        #expect(served.poolUsed == 1)
        #expect(whole.contains { $0.statusText == "delegated (2/3)" } && served.rows.count == min(limit, whole.count))
        // The arguments survive the wire too.
        #expect(DashboardQuery(arguments: try JSONValue.parse(query.arguments.rendered())) == query)
    }
}
