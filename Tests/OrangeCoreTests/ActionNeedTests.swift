import OrangeCore
import Testing

@Suite struct ActionNeedTests {
    @Test func editsThatMoveNothingNeedNoReconcile() {
        let graph = TaskGraph([task("a", .reviewing), task("b", .done), task("c", .pending, blockedBy: ["d"]), task("d", .working)])
        #expect(!graph.changeMayNeedAction([tid("a")]))
        #expect(!graph.changeMayNeedAction([tid("b")]))
        #expect(!graph.changeMayNeedAction([tid("c")]))  // still blocked
    }

    @Test func anythingThatCanMoveNeedsOne() {
        var withWorkspace = task("w", .done)
        withWorkspace.workspace = "p--1"
        let graph = TaskGraph([
            task("a", .done), task("b", .pending, blockedBy: ["a"]),  // a done made b ready
            task("p", .delegated, children: ["k"]), task("k", .done, parent: "p"),  // completion
            withWorkspace,  // release
            task("s", .working),  // spawn without a workspace
            task("r", .pending),  // ready itself
            task("o", .pending, children: ["x"]), task("x", .pending),  // link on one side
        ])
        for id in ["a", "k", "p", "w", "s", "r", "x", "gone"] {
            #expect(graph.changeMayNeedAction([tid(id)]), "\(id)")
        }
    }
}
