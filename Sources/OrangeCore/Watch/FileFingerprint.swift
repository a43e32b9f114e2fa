/// The `lstat` identity of a TASK.md: enough to tell "this file has not changed" without reading it.
///
/// A rename-over save gives a new inode, an in-place write a new size or mtime, so an equal
/// fingerprint means the content can be assumed unchanged (`touch` changes the mtime and is then
/// caught by the content hash instead, F18).
public struct FileFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// `st_ino`.
    public var inode: UInt64
    /// `st_size` in bytes.
    public var size: UInt64
    /// `st_mtim` in nanoseconds since the epoch (negative before 1970).
    public var mtimeNanoseconds: Int64

    /// A fingerprint from the three `lstat` fields.
    public init(inode: UInt64, size: UInt64, mtimeNanoseconds: Int64) {
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
    }

    public var description: String { "ino \(inode) size \(size) mtime \(mtimeNanoseconds)" }
}

/// The watch loop's answer to a `.read` request: what re-reading and parsing TASK.md gave.
public enum FileReadResult: Hashable, Sendable {
    /// There is no TASK.md (ENOENT, or the task folder is gone).
    case missing
    /// TASK.md exists but could not be read (EACCES, EIO, not a regular file…).
    case unreadable(reason: String)
    /// TASK.md parsed; `contentHash` is a hash of the bytes the parse was made from.
    case parsed(fingerprint: FileFingerprint, contentHash: UInt64)
    /// TASK.md was read but does not parse (half written, or broken by hand).
    case invalid(fingerprint: FileFingerprint, line: Int?, reason: String)
}
