import OrangeCore
import OrangeSystem
import OrangeTestSupport
import Testing

/// The list of spawn markers that lets a reconcile find them without checking every task folder.
struct FileSpawnGuardsListTests {
    @Test func theListNamesEveryMarkerDownAndNoneRemoved() throws {
        try withTemporaryDirectory { home in
            let guards = FileSpawnGuards(layout: DataDirectory(home: home))
            let (coffee, tea) = (ProjectName(validating: "coffee")!, ProjectName(validating: "tea")!)
            let (a, b) = (TaskID(validating: "a1")!, TaskID(validating: "b2")!)
            #expect(guards.markedTasks()?.isEmpty == true)
            for (id, project) in [(a, coffee), (b, tea)] {
                try FileSystem.makeDirectories(DataDirectory(home: home).taskDirectory(id, in: project))
            }
            try guards.placeMarker(a, in: coffee, note: "")
            try guards.placeMarker(b, in: tea, note: "reassess x1\n")
            let listed = (guards.markedTasks() ?? []).map { "\($0.project)/\($0.id)" }.sorted()
            #expect(listed == ["coffee/a1", "tea/b2"])
            #expect(guards.marker(b, in: tea) == "reassess x1\n")

            try guards.removeMarker(a, in: coffee)
            #expect((guards.markedTasks() ?? []).map { "\($0.project)/\($0.id)" } == ["tea/b2"])
            #expect(guards.marker(a, in: coffee) == nil)
        }
    }
}
