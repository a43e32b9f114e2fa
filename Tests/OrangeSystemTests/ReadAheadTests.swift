import Glibc
import OrangeCore
import OrangeTestSupport
import Synchronization
import Testing

@testable import OrangeSystem

/// The start-up read in step with the loop thread (`ReadAhead`): results in order, produced on
/// another thread, never more than `ahead` in front of the one taken.
@Suite struct ReadAheadTests {
    @Test(arguments: [1, 2, 3])
    func resultsComeInOrderFromAnotherThreadAndNeverTooFarAhead(ahead: Int) {
        let started = Atomic<Int>(0)
        let caller = pthread_self()
        let producedElsewhere = Atomic<Int>(0)
        var taken: [Int] = []
        ReadAhead.run(count: 200, ahead: ahead) { index in
            started.add(1, ordering: .sequentiallyConsistent)
            if pthread_equal(pthread_self(), caller) == 0 { producedElsewhere.add(1, ordering: .relaxed) }
            // Work of uneven length, so either side may be the slower.
            var sum = 0
            for step in 0..<(index % 7) * 2_000 { sum &+= step }
            return index * 10 + (sum == -1 ? 1 : 0)
        } consume: { index, result in
            #expect(result == index * 10)
            // The one given, and at most `ahead` after it, have been started.
            let startedSoFar = started.load(ordering: .sequentiallyConsistent)
            #expect(startedSoFar <= index + 1 + ahead)
            taken.append(index)
        }
        #expect(taken == Array(0..<200))
        let elsewhere = producedElsewhere.load(ordering: .relaxed)
        #expect(elsewhere == 200)
    }

    @Test func noneOrOneResultNeedsNoThread() {
        var taken: [Int] = []
        ReadAhead.run(count: 0, produce: { $0 }, consume: { _, _ in Issue.record("nothing to take") })
        let caller = pthread_self()
        let onCaller = Atomic<Bool>(false)
        ReadAhead.run(count: 1) { index in
            onCaller.store(pthread_equal(pthread_self(), caller) != 0, ordering: .relaxed)
            return index + 5
        } consume: { index, result in
            taken.append(result + index)
        }
        #expect(taken == [5])
        let producedOnCaller = onCaller.load(ordering: .relaxed)
        #expect(producedOnCaller)
    }

    /// The engine's sliced start-up read gives, slice by slice and in order, what the plain read
    /// gives for every task: one that parsed, a file gone, an invalid one, two projects.
    @Test func theStartUpReadInSlicesAnswersAsThePlainRead() throws {
        try withTemporaryDirectory { dir in
            let store = try storeOfTasksWithNotes(in: dir, count: 300, noteLines: 20)
            let project = FileTaskStoreTests.project.rawValue
            try AtomicFile.write("---\nid: broken\n", to: store.taskFilePath(TaskID(validating: "t7")!, in: FileTaskStoreTests.project))
            let watcher = try TaskTreeWatcher(root: dir)
            defer { watcher.close() }
            let tree = WatchedTaskTree(watcher: watcher, tasksRoot: dir + "/tasks", project: nil)
            let keys =
                ((0..<300).map { TaskKey(project: project, taskID: "t\($0)") } + [
                    TaskKey(project: project, taskID: "gone"), TaskKey(project: "elsewhere", taskID: "t1"),
                ]).sorted()
            let plain = tree.read(keys)
            var slices: [ArraySlice<TaskKey>] = []
            var answers: [TaskFileRead?] = []
            tree.readAtStartUp(keys, sliceSize: 64) { slice, sliceAnswers in
                #expect(slice.count == sliceAnswers.count)
                slices.append(slice)
                answers += sliceAnswers
            }
            #expect(slices.map(\.count) == [64, 64, 64, 64, 46])
            #expect(slices.flatMap { $0 } == keys)
            #expect(answers.map { $0?.result } == plain.map { $0?.result })
            #expect(answers.map { $0?.record } == plain.map { $0?.record })
            // Each task was just created with its history: nothing for the catch-up to record.
            let parsed = answers.filter { $0?.record != nil }
            #expect(parsed.count == 299)
            #expect(parsed.allSatisfy { $0?.historyAgrees == true })
        }
    }
}
