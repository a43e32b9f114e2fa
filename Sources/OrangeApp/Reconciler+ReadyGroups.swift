import OrangeCore

extension Reconciler {
    /// The ready tasks the spawn step must look at, oldest first, found through the engine's
    /// groups (`GraphIndexes.readyTasks(in:except:)`): every ready task of a project and harness
    /// that can start here, and of one that cannot, those whose `last_error` is not yet the reason.
    /// The rest, thousands when no agent is installed, would each be built and then skipped.
    func readyToLookAt(
        _ kept: GraphIndexes, view: GraphView, inScope: (TaskRecord) -> Bool, whyNot: (TaskRecord) -> String?
    ) -> [TaskRecord] {
        var ids: [TaskID] = []
        for group in kept.readyGroups {
            // The scope is a project, the same for the whole group.
            guard let sample = kept.anyReadyTask(in: group).flatMap({ view.task($0) }), inScope(sample) else { continue }
            ids += kept.readyTasks(in: group, except: whyNot(sample))
        }
        return view.graph.inCreationOrder(ids).compactMap { view.task($0) }
    }
}
