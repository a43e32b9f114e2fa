import Foundation
import Glibc
import OrangeCore
import OrangeSystem
import Synchronization
import Testing

/// Runs `body(0..<count)` on `count` real threads at once (not a pool capped at the core count,
/// so lock contention is real) and returns the errors they threw, as text.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let errors = Mutex<[String]>([])
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            do { try body(index) } catch { errors.withLock { $0.append("thread \(index): \(error)") } }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return errors.withLock { $0 }
}

/// Waits until `condition` holds, polling, for at most `seconds`; false on timeout.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let clock = SystemClock()
    let deadline = clock.monotonicNanoseconds() + UInt64(seconds * 1e9)
    while clock.monotonicNanoseconds() < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}

/// The descriptors of this process open on `path` (from /proc/self/fd).
func openDescriptors(on path: String) -> [Int32] {
    ((try? FileSystem.listDirectory("/proc/self/fd")) ?? []).compactMap { name in
        guard let fd = Int32(name), FileSystem.readSymbolicLink("/proc/self/fd/\(name)") == path else { return nil }
        return fd
    }
}

/// Names in `directory` that look like orange's temporary files.
func temporaryFiles(in directory: String) throws -> [String] {
    try FileSystem.listDirectory(directory).filter { $0.contains(".orange-tmp-") }
}

/// A store in `dir` holding `count` tasks `t0`, `t1`, … created in that order, each with notes
/// of `1 + i % noteLines` lines; `shape` changes each task before it is created.
@discardableResult
func storeOfTasksWithNotes(
    in dir: String, count: Int, noteLines: Int, shape: (inout TaskRecord, Int) -> Void = { _, _ in }
) throws -> FileTaskStore {
    let store = FileTaskStore(layout: DataDirectory(home: dir))
    for i in 0..<count {
        var task = FileTaskStoreTests.makeTask("t\(i)", at: Int64(i))
        task.body = String(repeating: "notes of task \(i)\n", count: i % noteLines + 1)
        shape(&task, i)
        try store.create(task)
    }
    return store
}
