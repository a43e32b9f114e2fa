import Glibc
import OrangeCore

extension DataDirectory {
    /// The names an engine claims (`SingleInstanceClaim`) for this data folder: one from the
    /// folder's identity (`st_dev`, `st_ino`), one from its real path. The identity makes
    /// another path to the same folder (a bind mount, a symlink) the same home; the path makes a
    /// folder deleted and created again in the same place the same home too, since the engine
    /// that watched the old one reads and writes by path and would act on the new one.
    ///
    /// `home` must exist (the engine creates it first).
    public func engineClaimNames() throws(SystemError) -> [String] {
        var st = stat()
        guard stat(home, &st) == 0 else { throw SystemError.current("stat", path: home) }
        guard let real = FileSystem.realPath(home) else { throw SystemError.current("realpath", path: home) }
        return [
            "orange-engine/dev-\(UInt64(st.st_dev))-ino-\(UInt64(st.st_ino))",
            "orange-engine/path-" + Self.pathDigest(real),
        ]
    }

    /// 64-bit FNV-1a of the path, in hex: a path can be longer than an abstract socket name
    /// (107 bytes), and two homes colliding would only make one refuse to start, never let two run.
    static func pathDigest(_ path: String) -> String { FNV1a.hex(path) }
}
