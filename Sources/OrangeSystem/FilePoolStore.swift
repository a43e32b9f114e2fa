import OrangeCore

/// `workspaces/.pool.json` under `workspaces/.pool.lock`. A corrupt file is an error, never
/// silently replaced by an empty pool (the original lost every binding that way).
public struct FilePoolStore: PoolStore {
    public var layout: DataDirectory

    public init(layout: DataDirectory) {
        self.layout = layout
    }

    public func read() throws -> PoolState {
        guard FileSystem.fileExists(layout.poolFile) else { return PoolState() }
        switch PoolState.decodeFile(try FileSystem.readBytes(layout.poolFile)) {
        case .success(let pool): return pool
        case .failure(let problem): throw TaskStoreError.io(path: layout.poolFile, reason: problem.reason)
        }
    }

    public func update<T>(_ body: (inout PoolState) throws -> T) throws -> T {
        try FileSystem.makeDirectories(layout.workspacesRoot)
        return try FileLock.withLock(layout.poolLockFile, timeoutSeconds: 120) {
            var pool = try read()
            let before = pool
            let result = try body(&pool)
            if pool != before { try AtomicFile.write(pool.json.prettyRendered() + "\n", to: layout.poolFile) }
            return result
        }
    }
}
