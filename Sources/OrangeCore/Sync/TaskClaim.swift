/// Which machine runs a task's agent when several machines share one tasks folder through git
/// (docs/multi-machine.md). Kept as two front matter keys of their own, `claimed_by` and
/// `claim_until`, written only when set; a machine without sync never writes them.
public struct ClaimStamp: Hashable, Sendable {
    /// The claiming machine's id (`orange sync status` shows this machine's).
    public var machine: String
    /// Until when the claim holds without its machine renewing it.
    public var until: Timestamp

    public init(machine: String, until: Timestamp) {
        self.machine = machine
        self.until = until
    }
}

extension TaskRecord {
    static let claimedByKey = "claimed_by"
    static let claimUntilKey = "claim_until"

    /// The machine that claimed this task, if any.
    public var claimedBy: String? {
        extra.first { $0.key == Self.claimedByKey }?.value.text.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The end of the claim's lease, if any.
    public var claimUntil: Timestamp? {
        extra.first { $0.key == Self.claimUntilKey }?.value.text.flatMap { Timestamp(rfc3339: $0) }
    }

    /// Writes (or, with nil, removes) the claim, keeping every other key where it was.
    public mutating func setClaim(_ stamp: ClaimStamp?) {
        setExtra(Self.claimedByKey, stamp.map { .string($0.machine) })
        setExtra(Self.claimUntilKey, stamp.map { .string($0.until.rfc3339) })
    }

    private mutating func setExtra(_ key: String, _ value: YAMLValue?) {
        if let value {
            if let index = extra.firstIndex(where: { $0.key == key }) {
                extra[index].value = value
            } else {
                extra.append(FrontmatterEntry(key: key, value: value))
            }
        } else {
            extra.removeAll { $0.key == key }
        }
    }
}

/// The rules every machine applies to claims; pure, so they are the same everywhere.
public enum ClaimRule {
    /// Whether `machine` may act on the agent of `task` (end its session, free its workspace,
    /// answer its death, repair its spawn): only the machine that claimed it. `machine` nil
    /// means no sync: every task is this machine's.
    public static func runsHere(_ task: TaskRecord, machine: String?) -> Bool {
        guard let machine else { return true }
        return task.claimedBy == machine
    }

    /// Whether `machine` may claim `task` at `now`: nobody holds it, or this machine does, or
    /// the holder's lease ran out.
    public static func mayClaim(_ task: TaskRecord, machine: String, now: Timestamp) -> Bool {
        guard let holder = task.claimedBy, holder != machine else { return true }
        guard let until = task.claimUntil else { return false }
        return until < now
    }

    /// Whether the claim of `task` by another machine is still live at `now`.
    public static func isLive(_ task: TaskRecord, now: Timestamp) -> Bool {
        guard task.claimedBy != nil else { return false }
        guard let until = task.claimUntil else { return true }
        return until >= now
    }
}
