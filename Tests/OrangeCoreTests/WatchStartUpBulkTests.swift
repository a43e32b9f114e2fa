import OrangeTestSupport
import Testing

@testable import OrangeCore

/// The start-up scan taken in bulk (`WatchReducer+StartUp`) against the task-by-task path it
/// replaces, which stays the oracle: the same batch (records, hashes, first-hint times), the same
/// slots, timers and counters, and the same outputs for every later event.
@Suite struct WatchStartUpBulkTests {
    /// A tree of records, some TASK.md invalid or gone between the scan and the read, each read
    /// call's size noted.
    final class Tree: TaskTreeSource {
        enum File { case valid(TaskRecord), invalid(String) }
        var files: [TaskKey: (file: File, inode: UInt64)] = [:]
        var readCalls: [Int] = []
        var nextInode: UInt64 = 10

        func read(_ keys: [TaskKey]) -> [TaskFileRead?] {
            readCalls.append(keys.count)
            return keys.map { key in
                guard let entry = files[key] else { return TaskFileRead(result: .missing, record: nil) }
                let print = fingerprint(entry)
                switch entry.file {
                case .valid(let record):
                    return TaskFileRead(result: .parsed(fingerprint: print, contentHash: hash(record)), record: record)
                case .invalid(let reason):
                    return TaskFileRead(result: .invalid(fingerprint: print, line: 2, reason: reason), record: nil)
                }
            }
        }

        func stat(_ key: TaskKey) -> FileFingerprint? { files[key].map(fingerprint) }
        func resync() -> [TaskKey] { files.keys.sorted() }
        func allTaskKeys() -> [TaskKey] { files.keys.sorted() }

        func fingerprint(_ entry: (file: File, inode: UInt64)) -> FileFingerprint {
            FileFingerprint(inode: entry.inode, size: entry.inode % 97, mtimeNanoseconds: Int64(entry.inode))
        }

        func hash(_ record: TaskRecord) -> UInt64 { FNV1a.hash(Array(record.description.utf8)) }

        func write(_ key: TaskKey, _ file: File) {
            nextInode += 1
            files[key] = (file, nextInode)
        }

        func record(_ key: TaskKey, _ description: String) -> TaskRecord {
            TaskRecord(
                id: TaskID(validating: key.taskID)!, project: ProjectName(validating: key.project)!, branch: key.taskID,
                description: description)
        }
    }

    /// One driver of each kind over the same tree and clock, every output compared.
    struct Pair {
        var bulk: WatchDriver
        var oracle: WatchDriver
        var now: UInt64

        init(configuration: WatchConfiguration, start: UInt64) {
            bulk = WatchDriver(reducer: WatchReducer(configuration: configuration, now: start), takesStartUpInBulk: true)
            oracle = WatchDriver(reducer: WatchReducer(configuration: configuration, now: start), takesStartUpInBulk: false)
            now = start
        }

        mutating func send(_ events: [WatchEvent], tree: Tree, _ comment: Comment) {
            let time = now
            let fromBulk = bulk.handle(events, source: tree, now: { time })
            let fromOracle = oracle.handle(events, source: tree, now: { time })
            #expect(difference(described(fromBulk), described(fromOracle)) == [], comment)
            #expect(difference(state(bulk.reducer), state(oracle.reducer)) == [], comment)
        }

        /// The lines that differ, each side's (a whole state is long).
        func difference(_ bulk: [String], _ oracle: [String]) -> [String] {
            let (bulkLines, oracleLines) = (
                bulk.joined(separator: "\n").split(separator: "\n"), oracle.joined(separator: "\n").split(separator: "\n")
            )
            let (inBulk, inOracle) = (Set(bulkLines), Set(oracleLines))
            return bulkLines.filter { !inOracle.contains($0) }.map { "bulk:   \($0)" }
                + oracleLines.filter { !inBulk.contains($0) }.map { "oracle: \($0)" }
                + (bulkLines.count == oracleLines.count ? [] : ["lines \(bulkLines.count) / \(oracleLines.count)"])
        }

        /// The graph batches in order; the other outputs as a sorted list (the bulk path reports
        /// an answer that did not parse after the batch, the oracle while it reads).
        func described(_ outputs: [WatchDriver.Output]) -> [String] {
            var batches: [String] = []
            var others: [String] = []
            for output in outputs {
                if case .startUpBatchEnded = output {
                    continue  // the bulk path's own: the task-by-task path has no such point
                } else if case .graphChanged(let changes) = output {
                    batches.append(
                        changes.map { "\($0.key) \($0.change) \(String(describing: $0.record)) \(String(describing: $0.firstHintAt))" }
                            .joined(separator: "\n"))
                } else {
                    others.append("\(output)")
                }
            }
            return batches + others.sorted()
        }

        /// Everything the reducer keeps that decides what it does next.
        func state(_ reducer: WatchReducer) -> [String] {
            let state = reducer.state
            let slots = state.slots.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            // A deadline armed twice is one timer (the second entry is stale once the first fired);
            // the task-by-task path leaves a stale settle timer per folder hint that can match one.
            let live = Set(state.timers.entries.filter { reducer.isLive($0) }.map { "\($0.deadline) \($0.key) \($0.kind)" })
                .sorted()
            return [
                slots.joined(separator: "\n"), live.joined(separator: "\n"),
                "outstanding \(state.readsOutstanding) dirty \(state.dirtyKeys.sorted()) held \(String(describing: state.heldSince))",
                "batches \(state.batchCount) storms \(state.stormCount) storm \(state.storm.active) window \(state.storm.windowStart)",
                "\(state.storm.windowCount) sweeps \(state.sweepCount) next \(String(describing: reducer.nextDeadline))",
                "settled \(reducer.isSettled) current \(reducer.graphIsCurrent) now \(state.lastNow)",
            ]
        }
    }

    /// Random trees and scans (folders without TASK.md, files invalid or gone by the read, other
    /// projects, cookies; now and then a hint the bulk path leaves to the task-by-task one: a
    /// task named twice, hints out of order, a save), then random edits and time passing.
    @Test(arguments: 0..<60)
    func theBulkStartUpMatchesTheTaskByTaskPath(seed: UInt64) {
        var rng = SeededRandom(seed: seed &* 7919 &+ 3)
        func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        let quiet = WatchConfiguration().quietPeriod
        let configuration = WatchConfiguration(sweepInterval: ms(3_000))
        let tree = Tree()
        let keys = (0..<Int(rng.next() % 60)).map { key("t\($0)", "p\($0 % 3)") }.sorted()
        var hints: [WatchHint] = []
        var lastProject = ""
        for key in keys {
            if key.project != lastProject {
                hints.append(.projectDirectory(project: key.project, change: .appeared))
                lastProject = key.project
            }
            hints.append(.taskDirectory(project: key.project, taskID: key.taskID, change: .appeared))
            if chance(10) { continue }  // a folder whose TASK.md is not written yet
            hints.append(file(key, .appeared))
            if chance(8) {
                tree.write(key, .invalid("half written"))
            } else if !chance(5) {  // else gone by the time it is read
                tree.write(key, .valid(tree.record(key, "task \(key) \(rng.next() % 4)")))
            }
        }
        if chance(30) { hints.insert(.cookie("sync-\(seed)"), at: Int(rng.next() % UInt64(hints.count + 1))) }
        if chance(15), let some = keys.randomElement(using: &rng) { hints.append(file(some, .appeared)) }
        if chance(10), let some = keys.randomElement(using: &rng) { hints.append(file(some, .completeWrite)) }
        if chance(10) { hints.reverse() }

        var pair = Pair(configuration: configuration, start: t0)
        pair.now += ms(5)
        pair.send([.hints(hints)], tree: tree, "start-up, seed \(seed)")
        for step in 0..<40 {
            // Now and then long enough for the periodic sweep (every 3 s) to run.
            pair.now += chance(10) ? ms(700) : rng.next() % (quiet * 2)
            var events: [WatchEvent] = [.tick]
            if chance(40), let some = keys.randomElement(using: &rng) {
                if chance(20) {
                    tree.files[some] = nil
                    events = [.hints([file(some, .removed)])]
                } else {
                    tree.write(some, .valid(tree.record(some, "edit \(step)")))
                    events = [.hints([file(some, .completeWrite)])]
                }
            }
            pair.send(events, tree: tree, "step \(step), seed \(seed)")
        }
    }

    /// The scan is read in slices, each slice reported as a part of the batch as soon as it is
    /// read, and no slot of it is kept whole: what makes the start-up's memory peak smaller and
    /// lets the engine fold a part in while the next is read (docs/performance.md, section 5).
    @Test func theStartUpScanIsReadAndReportedSliceBySliceAsOneBatch() {
        let tree = Tree()
        let keys = (0..<10_000).map { key("t\(100_000 + $0)", "p\($0 % 2)") }.sorted()
        for key in keys { tree.write(key, .valid(tree.record(key, "task \(key)"))) }
        var driver = WatchDriver(reducer: WatchReducer(configuration: WatchConfiguration(), now: t0))
        var parts: [[AppliedTaskChange]] = []
        var readsBeforeEachPart: [Int] = []
        var endedAfterParts: [Int] = []
        driver.handle([.hints(keys.map { file($0, .appeared) })], source: tree, now: { t0 + ms(1) }) { output in
            if case .startUpBatchEnded = output { endedAfterParts.append(parts.count) }
            guard case .graphChanged(let changes) = output else { return }
            parts.append(changes)
            readsBeforeEachPart.append(tree.readCalls.count)
        }
        // The end is said once, after the last part: the engine may decide on the graph then.
        #expect(endedAfterParts == [parts.count])
        #expect(parts.count == (keys.count + WatchDriver.startUpSlice - 1) / WatchDriver.startUpSlice)
        #expect(parts.flatMap { $0.map(\.key) } == keys)
        // Each part goes out right after its own slice is read, before the next is.
        #expect(readsBeforeEachPart == Array(1...parts.count))
        #expect(tree.readCalls.max() ?? 0 <= WatchDriver.startUpSlice)
        #expect(tree.readCalls.reduce(0, +) == keys.count)
        #expect(driver.reducer.state.slots.wholeSlotCount == 0)
        #expect(driver.reducer.state.batchCount == 1)
    }
}
