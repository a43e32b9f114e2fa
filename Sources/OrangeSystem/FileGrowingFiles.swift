import OrangeCore

/// `lstat` and reads from an offset.
public struct FileGrowingFiles: GrowingFiles {
    public init() {}

    public func state(of path: String) -> GrowingFileState? {
        FileSystem.status(path).map { GrowingFileState(inode: $0.inode, size: $0.size) }
    }

    public func read(_ path: String, from offset: Int64) throws -> [UInt8] { try FileSystem.readBytes(path, from: offset) }
}
