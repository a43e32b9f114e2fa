import OrangeCore

/// The sync cookies in `tasks/`, their answers in the home folder, and the engine's claim.
public struct FileEngineSync: EngineSync {
    public let layout: DataDirectory

    public init(layout: DataDirectory) { self.layout = layout }

    private func cookie(_ token: String) -> String { layout.tasksRoot + "/" + TaskTreeNames.syncCookieFileName(token: token) }
    private func answerFile(_ token: String) -> String { layout.home + "/" + TransientFileNames.syncAnswer(token: token) }

    public func engineIsRunning() throws -> Bool { try EngineLock.runningEngine(home: layout.home) != nil }

    public func dropCookie(_ token: String) throws {
        try FileSystem.makeDirectories(layout.tasksRoot)
        try FileSystem.createEmptyFile(cookie(token))
    }

    public func withdrawCookie(_ token: String) { try? FileSystem.removeTree(cookie(token)) }

    public func takeAnswer(_ token: String) -> Bool {
        guard FileSystem.fileExists(answerFile(token)) else { return false }
        try? FileSystem.removeTree(answerFile(token))
        return true
    }

    public func waitingCookies() -> [String] {
        ((try? FileSystem.listDirectory(layout.tasksRoot)) ?? []).compactMap { name in
            TaskTreeNames.cookieToken(name).flatMap(TaskTreeNames.syncToken(fromCookie:))
        }.sorted()
    }

    public func answer(_ token: String) -> Bool {
        guard FileSystem.status(cookie(token)) != nil else { return false }
        try? FileSystem.removeTree(cookie(token))
        try? AtomicFile.write("synced\n", to: answerFile(token))
        return true
    }
}
