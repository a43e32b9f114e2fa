import OrangeCore
import Testing

/// The driver's own part: the record that goes with each reported hash, the first-hint times,
/// cookies, and orange's own writes.
struct WatchDriverTests {
    /// A tree whose files are records: the hash is the description's length plus a seed, enough
    /// to tell two contents apart.
    struct RecordTree: TaskTreeSource {
        var files: [TaskKey: (record: TaskRecord, inode: UInt64)] = [:]

        func read(_ keys: [TaskKey]) -> [TaskFileRead?] {
            keys.map { key in
                guard let file = files[key] else { return TaskFileRead(result: .missing, record: nil) }
                return TaskFileRead(result: .parsed(fingerprint: fingerprint(file), contentHash: hash(file.record)), record: file.record)
            }
        }

        func stat(_ key: TaskKey) -> FileFingerprint? { files[key].map(fingerprint) }
        func resync() -> [TaskKey] { files.keys.sorted() }
        func allTaskKeys() -> [TaskKey] { files.keys.sorted() }

        func fingerprint(_ file: (record: TaskRecord, inode: UInt64)) -> FileFingerprint {
            FileFingerprint(inode: file.inode, size: UInt64(file.record.description.utf8.count), mtimeNanoseconds: Int64(file.inode))
        }

        func hash(_ record: TaskRecord) -> UInt64 { FNV1a.hash(Array(record.description.utf8)) }

        mutating func write(_ key: TaskKey, description: String) {
            let inode = (files.values.map(\.inode).max() ?? 0) + 1
            files[key] = (
                TaskRecord(
                    id: TaskID(validating: key.taskID)!, project: ProjectName(validating: key.project)!, branch: key.taskID,
                    description: description), inode
            )
        }
    }

    let a = TaskKey(project: "p", taskID: "a")

    func changes(_ outputs: [WatchDriver.Output]) -> [AppliedTaskChange] {
        outputs.flatMap { output -> [AppliedTaskChange] in
            if case .graphChanged(let changes) = output { return changes } else { return [] }
        }
    }

    @Test func aChangeReachesTheEngineWithTheRecordReadForItAndItsFirstHintTime() {
        var tree = RecordTree()
        var driver = WatchDriver(reducer: WatchReducer(configuration: WatchConfiguration(), now: 1_000))
        tree.write(a, description: "first")
        let outputs = driver.handle([.hints([.taskFile(project: "p", taskID: "a", kind: .appeared)])], source: tree, now: { 2_000 })
        let applied = changes(outputs)
        #expect(applied.map(\.key) == [a])
        #expect(applied.first?.record?.description == "first")
        #expect(applied.first?.firstHintAt == 2_000)
    }

    @Test func orangesOwnWriteIsTakenAtOnceAndItsReadBackIsNoChange() {
        var tree = RecordTree()
        var driver = WatchDriver(reducer: WatchReducer(configuration: WatchConfiguration(), now: 1_000))
        tree.write(a, description: "first")
        _ = driver.handle([.hints([.taskFile(project: "p", taskID: "a", kind: .appeared)])], source: tree, now: { 2_000 })
        tree.write(a, description: "written by orange")
        let record = tree.files[a]!.record
        let own = driver.recordSelfWrite(a, record: record, hash: tree.hash(record), source: tree, now: { 3_000 })
        guard case .selfWritten(let change)? = own.first else {
            Issue.record("expected the write first: \(own)")
            return
        }
        #expect(change.record?.description == "written by orange")
        let readBack = driver.handle([.hints([.taskFile(project: "p", taskID: "a", kind: .completeWrite)])], source: tree, now: { 3_500 })
        #expect(changes(readBack).isEmpty)
    }

    /// The timers that come due as orange's own write is recorded are served like any others:
    /// another task's settle reads its file, and a sweep lists and finishes. Their requests were
    /// dropped once, which left the sweep running for ever (no sweep again, no `watch sync`
    /// answered) and the other task's edit unread.
    @Test func timersDueWithOrangesOwnWriteAreServed() {
        var tree = RecordTree()
        let b = TaskKey(project: "p", taskID: "b")
        let ms: UInt64 = 1_000_000
        var driver = WatchDriver(reducer: WatchReducer(configuration: WatchConfiguration(sweepInterval: 100 * ms), now: 0))
        tree.write(a, description: "first")
        tree.write(b, description: "first")
        _ = driver.handle(
            [.hints([.taskFile(project: "p", taskID: "a", kind: .appeared), .taskFile(project: "p", taskID: "b", kind: .appeared)])],
            source: tree, now: { 1 * ms })
        // b is being written (its settle comes due in 30 ms); orange writes a after the sweep's time.
        tree.write(b, description: "edited by a person")
        _ = driver.handle([.hints([.taskFile(project: "p", taskID: "b", kind: .partialWrite)])], source: tree, now: { 90 * ms })
        tree.write(a, description: "written by orange")
        let record = tree.files[a]!.record
        let own = driver.recordSelfWrite(a, record: record, hash: tree.hash(record), source: tree, now: { 150 * ms })

        #expect(changes(own).map(\.key) == [b], "b's read was performed: \(own)")
        #expect(changes(own).first?.record?.description == "edited by a person")
        #expect(own.contains { if case .sweepStarted = $0 { true } else { false } })
        #expect(!driver.reducer.unsettledReasons.contains("a sweep"), "the sweep finished: \(driver.reducer.unsettledReasons)")
    }

    @Test func cookiesAreHandedOverAsTheyCome() {
        var driver = WatchDriver(reducer: WatchReducer(configuration: WatchConfiguration(), now: 1_000))
        let outputs = driver.handle([.hints([.cookie("sync-42")])], source: RecordTree(), now: { 2_000 })
        #expect(outputs.contains { if case .cookie("sync-42") = $0 { true } else { false } })
    }
}
