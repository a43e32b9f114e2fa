/// The front matter half of `TaskFileMerge`: each key merged on its own, in our key order.
///
/// A key changed on one side only takes that side's value (a removal included). When both
/// changed it differently: id lists merge as sets, `status` follows `StatusMerge`, `updated_at`
/// takes the later time, the counters the larger count; any other key keeps one value by a
/// rule that does not depend on which machine merges, and is reported as a conflict.
struct FieldMerge {
    /// Lists of task ids (and the conflict list itself): additions from both sides, removals
    /// from either.
    static let setKeys: Set<String> = ["blocked_by", "children", "reassessed", TaskFileMerge.conflictKey]
    static let counterKeys: Set<String> = ["spawn_failures", "agent_crashes"]

    let base: [FrontmatterEntry]
    let ours: [FrontmatterEntry]
    let theirs: [FrontmatterEntry]
    private(set) var entries: [FrontmatterEntry] = []
    private(set) var conflicts: [TaskFileMergeConflict] = []

    init(base: [FrontmatterEntry], ours: [FrontmatterEntry], theirs: [FrontmatterEntry]) {
        self.base = base
        self.ours = ours
        self.theirs = theirs
    }

    mutating func mergeEveryKey() {
        let baseValues = Self.values(base)
        let ourValues = Self.values(ours)
        let theirValues = Self.values(theirs)
        // Which side's edit is newer decides the keys no rule merges: the same answer on every
        // machine, whichever side it calls ours.
        let newer = Self.newerSide(ours: ourValues["updated_at"], theirs: theirValues["updated_at"])
        for entry in ours {
            let merged = mergeKey(entry.key, base: baseValues[entry.key], ours: entry.value, theirs: theirValues[entry.key], newer: newer)
            if let merged { entries.append(FrontmatterEntry(key: entry.key, value: merged)) }
        }
        // Keys only they have: added by them, or removed by us (then kept only if they changed it).
        for (position, entry) in theirs.enumerated() where ourValues[entry.key] == nil {
            guard let merged = mergeKey(entry.key, base: baseValues[entry.key], ours: nil, theirs: entry.value, newer: newer) else {
                continue
            }
            // After the nearest key that precedes it in their file, so a new key sits where they put it.
            let previous = theirs[..<position].reversed().first { key in entries.contains { $0.key == key.key } }
            let index = previous.flatMap { p in entries.firstIndex { $0.key == p.key } }.map { $0 + 1 } ?? 0
            entries.insert(FrontmatterEntry(key: entry.key, value: merged), at: index)
        }
    }

    enum Newer { case ours, theirs, neither }

    /// The merged value of one key; nil when the key is absent from the result.
    private mutating func mergeKey(_ key: String, base: YAMLValue?, ours: YAMLValue?, theirs: YAMLValue?, newer: Newer) -> YAMLValue? {
        if Self.same(ours, theirs) || Self.same(theirs, base) { return ours }
        if Self.same(ours, base) { return theirs }
        if Self.setKeys.contains(key) {
            return .list(SetMerge.merge(base: base, ours: ours, theirs: theirs).map(YAMLValue.string))
        }
        if key == "status", let o = ours?.text.flatMap(TaskStatus.init(rawValue:)), let t = theirs?.text.flatMap(TaskStatus.init(rawValue:))
        {
            let decision = StatusMerge.decide(o, t)
            let kept: YAMLValue = decision.status == o ? ours! : theirs!
            if decision.conflict {
                conflicts.append(TaskFileMergeConflict(field: key, kept: kept, other: decision.status == o ? theirs : ours))
            }
            return kept
        }
        if key == "updated_at", let o = ours?.text.flatMap(Timestamp.init(rfc3339:)), let t = theirs?.text.flatMap(Timestamp.init(rfc3339:))
        {
            return o >= t ? ours : theirs
        }
        if Self.counterKeys.contains(key), let o = ours?.text.flatMap({ Int($0) }), let t = theirs?.text.flatMap({ Int($0) }) {
            return o >= t ? ours : theirs
        }
        let keepOurs = Self.keepsOurs(ours: ours, theirs: theirs, newer: newer)
        let (kept, other) = keepOurs ? (ours, theirs) : (theirs, ours)
        conflicts.append(TaskFileMergeConflict(field: key, kept: kept, other: other))
        return kept
    }

    /// Which value a conflicting key keeps: a value over a removal (nothing written is lost),
    /// then the newer edit's, then the one whose spelling sorts first.
    static func keepsOurs(ours: YAMLValue?, theirs: YAMLValue?, newer: Newer) -> Bool {
        switch (ours, theirs) {
        case (nil, _): return false
        case (_, nil): return true
        case (let o?, let t?):
            switch newer {
            case .ours: return true
            case .theirs: return false
            case .neither: return YAMLScalarWriter.flowItem(o) <= YAMLScalarWriter.flowItem(t)
            }
        }
    }

    static func newerSide(ours: YAMLValue?, theirs: YAMLValue?) -> Newer {
        let o = ours?.text.flatMap(Timestamp.init(rfc3339:))
        let t = theirs?.text.flatMap(Timestamp.init(rfc3339:))
        switch (o, t) {
        case (let o?, let t?) where o > t: return .ours
        case (let o?, let t?) where t > o: return .theirs
        case (.some, nil): return .ours
        case (nil, .some): return .theirs
        default: return .neither
        }
    }

    static func values(_ entries: [FrontmatterEntry]) -> [String: YAMLValue] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Equal in meaning: both absent, or the same text (a quoted and a plain spelling are equal).
    static func same(_ a: YAMLValue?, _ b: YAMLValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return a.sameText(as: b)
        default: return false
        }
    }
}

/// Lists merged as sets, in a stable order: our items (minus those they removed), then the
/// items they added, in their order.
enum SetMerge {
    static func merge(base: YAMLValue?, ours: YAMLValue?, theirs: YAMLValue?) -> [String] {
        let b = Set(items(base))
        let o = items(ours)
        let t = items(theirs)
        let removedByThem = b.subtracting(t)
        var result: [String] = []
        var seen: Set<String> = []
        for item in o where !removedByThem.contains(item) && seen.insert(item).inserted { result.append(item) }
        for item in t where !b.contains(item) && seen.insert(item).inserted { result.append(item) }
        return result
    }

    /// The texts of a list; a single value is a one-item list, null or absent an empty one.
    static func items(_ value: YAMLValue?) -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let text)?, .plain(let text)?: return [text]
        case .list(let values)?: return values.compactMap(\.text)
        }
    }
}
