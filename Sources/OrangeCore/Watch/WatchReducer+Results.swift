/// Read and stat results: deciding *whether* a task changed (rules 2, 3, 4 and F16, F18).
extension WatchReducer {
    mutating func apply(read result: FileReadResult, for key: TaskKey, now: UInt64, into out: inout Output) {
        markSeen(key)
        let answered = withSlot(key) { slot -> Bool in
            guard slot.readsInFlight > 0 else { return false }
            slot.readsInFlight -= 1
            return true
        }
        if answered { state.readsOutstanding -= 1 }
        switch result {
        case .missing:
            applyMissing(key, now: now, into: &out)
        case .unreadable(let reason):
            let isNew = withSlot(key) { slot -> Bool in
                slot.latestReadIsBad = true
                defer { slot.reportedUnreadable = reason }
                return slot.reportedUnreadable != reason
            }
            if isNew { out.requests.append(.diagnostic("\(key)/TASK.md: cannot read: \(reason)")) }
            restartGate(key, now: now)
        case .parsed(let fingerprint, let hash):
            applyParsed(key, fingerprint: fingerprint, hash: hash, now: now)
        case .invalid(let fingerprint, let line, let reason):
            applyInvalid(key, fingerprint: fingerprint, line: line, reason: reason, now: now, into: &out)
        }
        rearmGate(key, now: now)
    }

    /// Rule 3: a missing file is believed only after S without hints for it; git deletes and
    /// re-creates (F11), and the re-creation's read then finds the file and nothing is reported.
    mutating func applyMissing(_ key: TaskKey, now: UInt64, into out: inout Output) {
        let quiet = configuration.quietPeriod
        let slot = state.slots[key]!
        if let last = slot.lastHintAt, now < last &+ quiet {
            request(.read, for: key, delay: last &+ quiet - now, now: now, into: &out)
            return
        }
        withSlot(key) { slot in
            slot.fingerprint = nil
            slot.tentativeInvalid = nil
            slot.latestReadIsBad = false
            slot.reportedUnreadable = nil
            slot.awaitingCompleteWrite = false
            slot.partialFactor = 1
            slot.current = .absent
        }
        noteChange(key, now: now)
    }

    /// Rule 2: an unchanged hash is no change (only the fingerprint is refreshed, F18). Content
    /// orange wrote itself is already what the engine knows (`.selfWrite` set it), so reading it
    /// back is no change either (F16).
    mutating func applyParsed(_ key: TaskKey, fingerprint: FileFingerprint, hash: UInt64, now: UInt64) {
        let touched = withSlot(key) { slot -> Bool in
            let touched = slot.fingerprint != fingerprint
            slot.fingerprint = fingerprint
            slot.tentativeInvalid = nil
            slot.latestReadIsBad = false
            slot.reportedUnreadable = nil
            slot.awaitingCompleteWrite = false
            slot.partialFactor = 1
            slot.current = .valid(contentHash: hash)
            return touched
        }
        noteChange(key, now: now)
        // The file was written again (even with the same bytes, or by orange itself): a gate still
        // waiting must measure stability from now, so a writer that is not done yet (two closes in
        // a row) cannot open it. An open gate stays open: unchanged content needs no action.
        if touched, state.slots[key]!.gatePending { restartGate(key, now: now) }
    }

    /// Rule 4: an invalid file keeps the last good state. If a partial write was seen and no
    /// complete write yet, the writer may still be busy: wait (longer each time) and believe the
    /// result only when the same invalid file is read twice (F2).
    mutating func applyInvalid(
        _ key: TaskKey, fingerprint: FileFingerprint, line: Int?, reason: String, now: UInt64, into out: inout Output
    ) {
        let maximumFactor = configuration.partialWriteMaximumFactor
        let waitFactor = withSlot(key) { slot -> UInt64? in
            slot.latestReadIsBad = true
            defer { slot.fingerprint = fingerprint }
            if slot.awaitingCompleteWrite && slot.tentativeInvalid != fingerprint {
                slot.tentativeInvalid = fingerprint
                slot.partialFactor = min(slot.partialFactor &* 2, maximumFactor)
                return slot.partialFactor
            }
            slot.tentativeInvalid = nil
            slot.current = .invalid(line: line, reason: reason)
            return nil
        }
        if let waitFactor {
            restartGate(key, now: now)
            request(.read, for: key, delay: configuration.quietPeriod &* waitFactor, now: now, into: &out)
        } else {
            noteChange(key, now: now)
        }
    }

    /// Rule 8: a stat with the fingerprint already known costs nothing; a new or changed one is
    /// read at once; a file gone is re-read after the quiet period (and then believed).
    mutating func apply(stat fingerprint: FileFingerprint?, for key: TaskKey, now: UInt64, into out: inout Output) {
        markSeen(key)
        let known = withSlot(key) { slot -> (fingerprint: FileFingerprint?, inGraph: Bool) in
            if slot.statsInFlight > 0 { slot.statsInFlight -= 1 }
            return (slot.fingerprint, slot.isInGraph)
        }
        if let fingerprint {
            if known.inGraph, known.fingerprint == fingerprint {
                rearmGate(key, now: now)
            } else {
                request(.read, for: key, delay: 0, now: now, into: &out)
            }
        } else if known.inGraph {
            noteHint(key, now: now) { _ in }
            request(.read, for: key, delay: configuration.quietPeriod, now: now, into: &out)
        } else {
            rearmGate(key, now: now)
        }
    }

    /// F16: orange wrote `hash` itself, so the engine's graph already holds it. Only what the
    /// engine is known to hold changes: reading the content back then differs from nothing, while
    /// a user's edit racing the write (or a write that failed) still differs and is reported. A
    /// read after S checks that the write landed even if its events are lost.
    mutating func recordSelfWrite(key: TaskKey, hash: UInt64, now: UInt64, into out: inout Output) {
        // Not marked dirty: until the read, `current` is the old content, which must not be sent.
        withSlot(key) { $0.emitted = .valid(contentHash: hash) }
        request(.read, for: key, delay: configuration.quietPeriod, now: now, into: &out)
    }
}
