import OrangeCore

/// The engine's side of the commands' reads (`EngineReadServer`): started once the start-up
/// scan is in the graph, fed from the loop.
extension WatchEngine {
    /// Only an engine that acts for the whole home serves: a follower's graph lags the acting
    /// engine's, and a `--project` engine holds one project while a command reads them all.
    func startReadServer() {
        guard options.performsActions, options.project == nil else { return }
        let server = EngineReadServer(context: context, tasksPerChunk: options.listChunkTasks)
        server.start(home: context.home)
        readServer = server
    }

    /// Hands the graph to the read server once it holds every change before the cookies seen.
    func publishReads() {
        guard let readServer, readServer.isWaiting, driver.reducer.graphIsCurrent, selfWrites.isEmpty else { return }
        readServer.publish(
            indexedGraph(), generation: graphGeneration, invalidFiles: invalidFiles.count, now: clock.monotonicNanoseconds())
    }
}
