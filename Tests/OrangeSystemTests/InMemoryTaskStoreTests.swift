import OrangeCore
import OrangeTestSupport
import Testing

/// The in-memory fake must behave like the file store, or unit tests built on it prove nothing.
@Suite struct InMemoryTaskStoreTests {
    static let coffee = ProjectName(validating: "coffee")!
    static func id(_ text: String) -> TaskID { TaskID(validating: text)! }

    @Test func sameSemanticsAsTheFileStore() throws {
        let store = InMemoryTaskStore()
        let a = TaskRecord(id: Self.id("a1"), project: Self.coffee, branch: "a", createdAt: Timestamp(millisecondsSinceEpoch: 2))
        let b = TaskRecord(id: Self.id("b1"), project: Self.coffee, branch: "b", createdAt: Timestamp(millisecondsSinceEpoch: 1))
        try store.create(a)
        try store.create(b)
        #expect(throws: TaskStoreError.self) { try store.create(a) }
        #expect(try store.scan(project: nil).tasks.map(\.id) == [b.id, a.id])
        #expect(store.writes == 2)

        try store.update(a.id, in: Self.coffee) { $0.branch = "a" }
        #expect(store.writes == 2, "an unchanged update must not count as a write")
        let (before, after) = try store.update(a.id, in: Self.coffee) { $0.status = .working }
        #expect(before.status == .pending && after.status == .working && store.writes == 3)
        #expect(throws: TaskStoreError.self) { try store.update(a.id, in: Self.coffee) { $0.id = Self.id("zz") } }
        #expect(throws: TaskStoreError.self) { try store.update(Self.id("zz"), in: Self.coffee) { _ in } }

        store.markMalformed(b.id, in: Self.coffee, line: 4, reason: "bad status")
        #expect(throws: TaskStoreError.self) { try store.find(b.id) }
        #expect(throws: TaskStoreError.self) { try store.update(b.id, in: Self.coffee) { $0.status = .done } }
        let scan = try store.scan(project: Self.coffee)
        #expect(scan.tasks.map(\.id) == [a.id] && scan.invalid.map(\.description) == ["/in-memory/tasks/coffee/b1/TASK.md:4: bad status"])

        try store.appendHistory(HistoryEvent(type: "x", timestamp: Timestamp(millisecondsSinceEpoch: 5)), for: a.id, in: Self.coffee)
        #expect(try store.history(of: a.id, in: Self.coffee).map(\.type) == ["status.changed", "x"])
        try store.delete(a.id, in: Self.coffee)
        #expect(try store.find(a.id) == nil)
        #expect(try store.history(of: a.id, in: Self.coffee).isEmpty)
        #expect(throws: TaskStoreError.self) { try store.delete(a.id, in: Self.coffee) }
    }

    @Test func changeMayReadTheStoreWithoutDeadlock() throws {
        let store = InMemoryTaskStore([TaskRecord(id: Self.id("a1"), project: Self.coffee, branch: "a")])
        try store.update(Self.id("a1"), in: Self.coffee) { task in
            task.description = (try? store.find(Self.id("a1")))?.map { "seen \($0.branch)" } ?? "none"
        }
        #expect(try store.find(Self.id("a1"))?.description == "seen a")
    }
}
