/// Files that grow by appends and are rotated by rename (`orange.log` → `orange.log.1`), as
/// `orange log -f` follows them.
public protocol GrowingFiles: Sendable {
    /// The file's inode and size; nil when it is not there.
    func state(of path: String) -> GrowingFileState?
    /// The file from byte `offset` to its end; empty when it is shorter.
    func read(_ path: String, from offset: Int64) throws -> [UInt8]
}

/// Which file is at a path (its inode) and how long it is.
public struct GrowingFileState: Hashable, Sendable {
    public var inode: UInt64
    public var size: Int64

    public init(inode: UInt64, size: Int64) {
        self.inode = inode
        self.size = size
    }
}
