import CInotify
import Glibc
import OrangeCore

/// One inotify instance: the descriptor, the read buffer, and the three calls made on it.
///
/// Not `Sendable` on purpose: the instance is owned by the single thread that runs the watch
/// loop (swift-style §4.2), so the descriptor and the buffer need no locking. Other threads wake
/// that loop through `PollWaker` instead of touching the instance.
///
/// The descriptor is opened with `IN_NONBLOCK | IN_CLOEXEC`: non-blocking so `readAvailable()`
/// can drain the queue and stop at EAGAIN, close-on-exec so spawned agents and tmux servers do
/// not inherit it.
public final class InotifyInstance {
    /// Default size of the read buffer: large enough to drain about 2000 short-named events per
    /// `read()`.
    public static let defaultBufferSize = 64 * 1024
    /// The smallest legal buffer, `16 + NAME_MAX + 1` bytes: one event with the longest name. The
    /// kernel returns whole events only, and fails with EINVAL when the next one does not fit.
    public static let minimumBufferSize = MemoryLayout<inotify_event>.size + Int(NAME_MAX) + 1

    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    /// `read()` calls that returned events, and the events they returned (for tests and status:
    /// their ratio shows how many events one read drains).
    public private(set) var readCount = 0
    public private(set) var recordCount = 0

    /// Opens a new instance. Throws `.instanceLimitReached` when `max_user_instances` is used up.
    /// `bufferSize` is clamped to at least `minimumBufferSize`; tests shrink it so that rename
    /// pairs and bursts are split across reads (F8).
    public init(bufferSize: Int = InotifyInstance.defaultBufferSize) throws(InotifyError) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if descriptor < 0 {
            let code = errno
            if code == EMFILE || code == ENFILE {
                throw .instanceLimitReached(limit: InotifyProcFS.maxUserInstances)
            }
            throw .initFailed(errno: code)
        }
        fd = descriptor
        // 8-byte alignment keeps every header naturally aligned (the kernel pads names to 16),
        // although the decoder reads with `loadUnaligned` and does not rely on it.
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, Self.minimumBufferSize), alignment: 8)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Size of this instance's read buffer in bytes.
    public var bufferSize: Int { buffer.count }

    /// The descriptor to wait on with `poll(2)`; -1 once closed.
    public var fileDescriptor: Int32 { fd }

    /// True until `close()`.
    public var isOpen: Bool { fd >= 0 }

    /// Adds (or, for an already watched inode, replaces) a watch and returns its descriptor.
    ///
    /// Errors: ENOSPC → `.watchLimitReached` (with `max_user_watches`), EMFILE →
    /// `.instanceLimitReached`, ENOENT → `.noSuchPath`, ENOTDIR → `.notADirectory`.
    public func addWatch(path: String, mask: InotifyMask) throws(InotifyError) -> Int32 {
        guard fd >= 0 else { throw .closed }
        return try Self.addWatch(descriptor: fd, path: path, mask: mask)
    }

    /// `addWatch` on the instance's raw descriptor, for the watcher's workers that add the task
    /// folders' watches of a project in parallel (the instance itself stays on the loop thread,
    /// which keeps it open until they return).
    static func addWatch(descriptor fd: Int32, path: String, mask: InotifyMask) throws(InotifyError) -> Int32 {
        let wd = inotify_add_watch(fd, path, mask.rawValue)
        if wd >= 0 { return wd }
        let code = errno
        switch code {
        case ENOSPC: throw .watchLimitReached(path: path, limit: InotifyProcFS.maxUserWatches)
        case EMFILE: throw .instanceLimitReached(limit: InotifyProcFS.maxUserInstances)
        case ENOENT: throw .noSuchPath(path)
        case ENOTDIR: throw .notADirectory(path)
        default: throw .addWatchFailed(path: path, errno: code)
        }
    }

    /// Removes a watch. Returns false when the kernel no longer had it (it sends `IN_IGNORED`
    /// on its own when a watched directory is deleted, so that race is normal).
    @discardableResult
    public func removeWatch(_ wd: Int32) -> Bool {
        guard fd >= 0 else { return false }
        return inotify_rm_watch(fd, wd) == 0
    }

    /// Reads every queued event without blocking: loops on `read()` until EAGAIN.
    ///
    /// `maxReads` bounds one call (one buffer per read) so a writer that never pauses cannot keep the
    /// loop thread here forever; the descriptor stays readable and the next poll comes back.
    public func readAvailable(maxReads: Int = 256) throws(InotifyError) -> [InotifyRecord] {
        guard fd >= 0 else { throw .closed }
        var records: [InotifyRecord] = []
        var reads = 0
        while reads < maxReads {
            let n: Int
            switch valueOrErrno({ read(fd, buffer.baseAddress, buffer.count) }) {
            case .success(let count): n = count
            case .failure(let error) where error.code == EAGAIN || error.code == EWOULDBLOCK: return records
            case .failure(let error): throw .readFailed(errno: error.code)
            }
            if n == 0 { break }
            reads += 1
            let decoded = InotifyRecordDecoder.decode(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            readCount += 1
            recordCount += decoded.records.count
            records.append(contentsOf: decoded.records)
            if let failure = decoded.failure { throw .malformedRecords(failure) }
        }
        return records
    }

    /// The number of watches the kernel holds for this instance (from `/proc/self/fdinfo`).
    public func kernelWatchCount() -> Int? {
        guard fd >= 0 else { return nil }
        return InotifyProcFS.kernelWatchCount(fd: fd)
    }

    /// Closes the descriptor once; later calls do nothing. The kernel drops every watch.
    public func close() {
        guard fd >= 0 else { return }
        closeDescriptor(fd)
        fd = -1
    }
}
