/// The bits of an inotify event mask, with the Linux values from `<sys/inotify.h>`.
///
/// Core cannot import the C module, so the values are spelled out here; a System-side test
/// checks every one against the `IN_*` constants the kernel headers define.
public struct InotifyMask: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    // MARK: - Events (watchable)
    public static let access = InotifyMask(rawValue: 0x0000_0001)
    public static let modify = InotifyMask(rawValue: 0x0000_0002)
    public static let attrib = InotifyMask(rawValue: 0x0000_0004)
    public static let closeWrite = InotifyMask(rawValue: 0x0000_0008)
    public static let closeNoWrite = InotifyMask(rawValue: 0x0000_0010)
    public static let open = InotifyMask(rawValue: 0x0000_0020)
    public static let movedFrom = InotifyMask(rawValue: 0x0000_0040)
    public static let movedTo = InotifyMask(rawValue: 0x0000_0080)
    public static let create = InotifyMask(rawValue: 0x0000_0100)
    public static let delete = InotifyMask(rawValue: 0x0000_0200)
    public static let deleteSelf = InotifyMask(rawValue: 0x0000_0400)
    public static let moveSelf = InotifyMask(rawValue: 0x0000_0800)

    // MARK: - Sent by the kernel whatever the watch mask
    public static let unmount = InotifyMask(rawValue: 0x0000_2000)
    public static let queueOverflow = InotifyMask(rawValue: 0x0000_4000)
    public static let ignored = InotifyMask(rawValue: 0x0000_8000)

    // MARK: - Flags for inotify_add_watch
    public static let onlyDirectory = InotifyMask(rawValue: 0x0100_0000)
    public static let dontFollow = InotifyMask(rawValue: 0x0200_0000)
    public static let excludeUnlinked = InotifyMask(rawValue: 0x0400_0000)
    public static let maskCreate = InotifyMask(rawValue: 0x1000_0000)
    public static let maskAdd = InotifyMask(rawValue: 0x2000_0000)
    public static let oneShot = InotifyMask(rawValue: 0x8000_0000)

    // MARK: - Set in events only
    public static let isDirectory = InotifyMask(rawValue: 0x4000_0000)

    /// Every event bit `IN_ALL_EVENTS` covers (the C macro is not imported into Swift).
    public static let allEvents: InotifyMask = [
        .access, .modify, .attrib, .closeWrite, .closeNoWrite, .open,
        .movedFrom, .movedTo, .create, .delete, .deleteSelf, .moveSelf,
    ]

    private static let names: [(InotifyMask, String)] = [
        (.access, "ACCESS"), (.modify, "MODIFY"), (.attrib, "ATTRIB"), (.closeWrite, "CLOSE_WRITE"),
        (.closeNoWrite, "CLOSE_NOWRITE"), (.open, "OPEN"), (.movedFrom, "MOVED_FROM"), (.movedTo, "MOVED_TO"),
        (.create, "CREATE"), (.delete, "DELETE"), (.deleteSelf, "DELETE_SELF"), (.moveSelf, "MOVE_SELF"),
        (.unmount, "UNMOUNT"), (.queueOverflow, "Q_OVERFLOW"), (.ignored, "IGNORED"),
        (.onlyDirectory, "ONLYDIR"), (.dontFollow, "DONT_FOLLOW"), (.excludeUnlinked, "EXCL_UNLINK"),
        (.maskCreate, "MASK_CREATE"), (.maskAdd, "MASK_ADD"), (.isDirectory, "ISDIR"), (.oneShot, "ONESHOT"),
    ]

    /// `CREATE|ISDIR` style, for logs and test failure messages.
    public var description: String {
        var parts: [String] = []
        var rest = rawValue
        for (bit, name) in Self.names where contains(bit) {
            parts.append(name)
            rest &= ~bit.rawValue
        }
        if rest != 0 { parts.append("0x" + String(rest, radix: 16)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }
}
