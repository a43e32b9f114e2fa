import Glibc

/// Lists one folder with `readdir`, for the watcher's scans of new or moved-in folders.
///
/// Listing opens the folder read-only; with the watcher's mask (no OPEN, ACCESS or
/// CLOSE_NOWRITE) that raises no events, so a scan can never feed itself (F10).
enum DirectoryListing {
    enum Kind: Equatable {
        case directory, regular, symlink, other
    }

    struct Entry: Equatable {
        var name: String
        var kind: Kind
    }

    /// The entries of `path` except `.` and `..`; nil if it cannot be opened (gone, not a folder).
    static func entries(atPath path: String) -> [Entry]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var result: [Entry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name == "." || name == ".." { continue }
            result.append(Entry(name: name, kind: kind(of: entry.pointee.d_type, path: path + "/" + name)))
        }
        return result
    }

    /// `d_type`, or `lstat` on file systems that report `DT_UNKNOWN`.
    private static func kind(of type: UInt8, path: String) -> Kind {
        switch Int32(type) {
        case Int32(DT_DIR): return .directory
        case Int32(DT_REG): return .regular
        case Int32(DT_LNK): return .symlink
        case Int32(DT_UNKNOWN):
            var info = stat()
            guard lstat(path, &info) == 0 else { return .other }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: return .directory
            case S_IFREG: return .regular
            case S_IFLNK: return .symlink
            default: return .other
            }
        default: return .other
        }
    }
}
