import Glibc

extension FileSystem {
    /// The file from byte `offset` to its end (for following a growing log); empty when the
    /// file is shorter.
    public static func readBytes(_ path: String, from offset: Int64) throws(SystemError) -> [UInt8] {
        let fd = try openFile(path, O_RDONLY)
        defer { closeDescriptor(fd) }
        _ = try retryingInterrupts("lseek", path: path) { lseek(fd, off_t(offset), SEEK_SET) }
        return try readAll(fd, path: path)
    }
}
