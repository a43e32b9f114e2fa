/// One event as the kernel reported it: the decoded form of a `struct inotify_event` and its name.
public struct InotifyRecord: Hashable, Sendable, CustomStringConvertible {
    /// The watch descriptor the event belongs to; -1 for `IN_Q_OVERFLOW`.
    public var wd: Int32
    public var mask: InotifyMask
    /// Links the two halves of a rename (`MOVED_FROM` and `MOVED_TO`); 0 otherwise.
    public var cookie: UInt32
    /// The entry's name inside the watched directory; nil when the event concerns the directory itself.
    public var name: String?

    public init(wd: Int32, mask: InotifyMask, cookie: UInt32 = 0, name: String? = nil) {
        self.wd = wd
        self.mask = mask
        self.cookie = cookie
        self.name = name
    }

    public var description: String {
        "wd=\(wd) \(mask)" + (cookie == 0 ? "" : " cookie=\(cookie)") + (name.map { " \($0)" } ?? "")
    }
}
