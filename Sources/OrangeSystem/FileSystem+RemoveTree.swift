import Glibc

// Directory listing and tree removal over directory descriptors.
//
// Removal works relative to an open folder (`openat`/`unlinkat` with `O_NOFOLLOW`) rather than
// on path strings: between checking that `a/b` is a folder and descending into it, someone may
// replace it with a symlink to `$HOME`. With descriptors, that swap makes the open fail
// (ELOOP/ENOTDIR) and the link itself is unlinked; nothing outside the tree is ever touched.

extension FileSystem {
    /// Reads the entry names of the folder open on `fd` (taking ownership of `fd`), sorted,
    /// without `.` and `..`.
    static func entries(ofDirectory fd: Int32, path: String) throws(SystemError) -> [String] {
        try typedEntries(ofDirectory: fd, path: path).map(\.name)
    }

    /// The entries of the folder open on `fd` (taking ownership of `fd`), sorted by name, without
    /// `.` and `..`, each with the type `readdir` gives for free on most file systems.
    static func typedEntries(ofDirectory fd: Int32, path: String) throws(SystemError) -> [DirectoryEntry] {
        guard let dir = fdopendir(fd) else {
            let error = SystemError.current("opendir", path: path)
            closeDescriptor(fd)
            throw error
        }
        defer { closedir(dir) }
        var entries: [DirectoryEntry] = []
        while true {
            // readdir returns nil both at the end and on error; only errno tells them apart.
            errno = 0
            guard let entry = readdir(dir) else {
                let code = errno
                if code != 0 { throw SystemError("readdir", path: path, errno: code) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard name != "." && name != ".." else { continue }
            let kind: DirectoryEntry.Kind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symbolicLink
            case Int32(DT_REG): kind = .regularFile
            case Int32(DT_UNKNOWN): kind = .unknown
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// Removes `path`: a symlink or file is unlinked, a folder is emptied and removed. A missing
    /// path is not an error (the goal, "it is gone", is met).
    static func removeTreeWithoutFollowingLinks(_ path: String) throws(SystemError) {
        guard let info = status(path) else { return }
        guard info.isDirectory else {
            try unlinkIgnoringMissing(AT_FDCWD, path, flags: 0, shownAs: path)
            return
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return }
            // Replaced by a symlink or a file since the lstat: remove that entry, do not follow it.
            if code == ELOOP || code == ENOTDIR {
                try unlinkIgnoringMissing(AT_FDCWD, path, flags: 0, shownAs: path)
                return
            }
            throw SystemError("open", path: path, errno: code)
        }
        try removeContents(ofDirectory: fd, path: path)
        try unlinkIgnoringMissing(AT_FDCWD, path, flags: AT_REMOVEDIR, shownAs: path)
    }

    /// Empties the folder open on `fd` (taking ownership of `fd`).
    private static func removeContents(ofDirectory fd: Int32, path: String) throws(SystemError) {
        // A second descriptor for the *at calls: `entries` hands its own to closedir.
        let dirfd: Int32
        do {
            dirfd = try duplicateDescriptor(fd, path: path)
        } catch {
            closeDescriptor(fd)
            throw error
        }
        defer { closeDescriptor(dirfd) }
        // The names are collected before anything is removed: POSIX leaves unspecified what
        // readdir returns for entries removed during the listing.
        for name in try entries(ofDirectory: fd, path: path) {
            let child = path + "/" + name
            var st = stat()
            if fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
                let code = errno
                if code == ENOENT { continue }
                throw SystemError("lstat", path: child, errno: code)
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let childfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if childfd < 0 {
                    let code = errno
                    if code == ENOENT { continue }
                    if code == ELOOP || code == ENOTDIR {
                        try unlinkIgnoringMissing(dirfd, name, flags: 0, shownAs: child)
                        continue
                    }
                    throw SystemError("open", path: child, errno: code)
                }
                try removeContents(ofDirectory: childfd, path: child)
                try unlinkIgnoringMissing(dirfd, name, flags: AT_REMOVEDIR, shownAs: child)
            } else {
                try unlinkIgnoringMissing(dirfd, name, flags: 0, shownAs: child)
            }
        }
    }

    private static func unlinkIgnoringMissing(_ dirfd: Int32, _ name: String, flags: Int32, shownAs path: String) throws(SystemError) {
        if unlinkat(dirfd, name, flags) != 0 {
            let code = errno
            if code == ENOENT { return }
            throw SystemError(flags == AT_REMOVEDIR ? "rmdir" : "unlink", path: path, errno: code)
        }
    }
}
