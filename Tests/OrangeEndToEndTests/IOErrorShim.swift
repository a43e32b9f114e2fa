import OrangeSystem
import OrangeTestSupport

/// An `LD_PRELOAD` library that makes orange's own file writes fail with EIO, compiled at test
/// time with the toolchain's C compiler. `ORANGE_TEST_EIO` picks the call:
///
/// - `write`: the first write to a matching file writes half its bytes (a short write), every
///   later one fails, so the failure lands in the middle of the file's content;
/// - `fsync`: fsync of a matching file fails;
/// - `dirfsync`: fsync of a folder under `tasks/` fails (the one after the rename).
///
/// A file matches when its path contains `.orange-tmp-` (an atomic write's temporary) or ends
/// in `TASK.md`; everything else (git, tmux, history, the terminal) is left alone so only the
/// write under test breaks.
enum IOErrorShim {
    /// `clang` on PATH or next to `swift` (every Swift toolchain ships one), else `cc`.
    static let compiler: String? = {
        let path = ProcessEnvironment.current()["PATH"] ?? ""
        if let clang = FileSystem.findExecutable("clang", searchPath: path) { return clang }
        if let swift = FileSystem.findExecutable("swift", searchPath: path).flatMap(FileSystem.realPath),
            let slash = swift.lastIndex(of: "/")
        {
            let clang = String(swift[..<slash]) + "/clang"
            if FileSystem.fileExists(clang) { return clang }
        }
        return FileSystem.findExecutable("cc", searchPath: path)
    }()

    /// Compiles the shim into `directory` and returns the library's path.
    static func build(in directory: String) throws -> String {
        guard let compiler else { throw NoCompiler() }
        let source = directory + "/eio-shim.c"
        let library = directory + "/eio-shim.so"
        try AtomicFile.write(Self.source, to: source)
        try ProcessRunner().check([compiler, "-shared", "-fPIC", "-O1", "-o", library, source, "-ldl"])
        return library
    }

    struct NoCompiler: Error {}

    static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <errno.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <sys/types.h>
        #include <unistd.h>

        static int injecting(const char *call) {
            const char *wanted = getenv("ORANGE_TEST_EIO");
            return wanted != NULL && strcmp(wanted, call) == 0;
        }

        static int path_of(int fd, char *path, size_t size) {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            ssize_t n = readlink(link, path, size - 1);
            if (n < 0) return 0;
            path[n] = 0;
            return 1;
        }

        static int is_task_file(int fd) {
            char path[4096];
            if (!path_of(fd, path, sizeof path)) return 0;
            size_t length = strlen(path);
            return strstr(path, ".orange-tmp-") != NULL
                || (length >= 7 && strcmp(path + length - 7, "TASK.md") == 0);
        }

        static int is_tasks_folder(int fd) {
            char path[4096];
            struct stat info;
            return path_of(fd, path, sizeof path) && strstr(path, "/tasks/") != NULL
                && fstat(fd, &info) == 0 && S_ISDIR(info.st_mode);
        }

        ssize_t write(int fd, const void *buffer, size_t count) {
            static ssize_t (*real)(int, const void *, size_t);
            static int halfWritten;
            if (real == NULL) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
            if (injecting("write") && is_task_file(fd)) {
                if (!halfWritten && count > 1) {
                    halfWritten = 1;
                    return real(fd, buffer, count / 2);
                }
                errno = EIO;
                return -1;
            }
            return real(fd, buffer, count);
        }

        int fsync(int fd) {
            static int (*real)(int);
            if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
            if ((injecting("fsync") && is_task_file(fd)) || (injecting("dirfsync") && is_tasks_folder(fd))) {
                errno = EIO;
                return -1;
            }
            return real(fd);
        }

        int fdatasync(int fd) {
            static int (*real)(int);
            if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
            if (injecting("fsync") && is_task_file(fd)) {
                errno = EIO;
                return -1;
            }
            return real(fd);
        }
        """#
}
