import OrangeTestSupport
import Testing

@testable import OrangeCore

/// The timer queue (a heap beside a run of timers pushed in order) gives timers back exactly in
/// (deadline, push order), as a sorted list would, through any mix of pushes, pops and compactions.
struct WatchTimerQueueTests {
    struct Reference {
        var timers: [(deadline: UInt64, sequence: UInt64, key: TaskKey)] = []
        var next: UInt64 = 0

        mutating func push(_ deadline: UInt64, _ key: TaskKey) {
            timers.append((deadline, next, key))
            next += 1
        }

        mutating func popFirst() -> (deadline: UInt64, sequence: UInt64, key: TaskKey)? {
            guard
                let index = timers.indices.min(by: {
                    (timers[$0].deadline, timers[$0].sequence) < (timers[$1].deadline, timers[$1].sequence)
                })
            else { return nil }
            return timers.remove(at: index)
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func timersLeaveInDeadlineThenPushOrder(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        var queue = WatchTimerQueue()
        var reference = Reference()
        var clock: UInt64 = 1_000
        let keys = (0..<40).map { TaskKey(project: "p", taskID: "t\($0)") }
        for step in 0..<4_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                // Mostly in order (a quiet period after now, as hints arm them), sometimes earlier.
                let deadline = Bool.random(using: &rng) ? clock + 30 : clock + UInt64.random(in: 0...40, using: &rng)
                let key = keys.randomElement(using: &rng)!
                queue.push(deadline: deadline, key: key, kind: .settle)
                reference.push(deadline, key)
            case 4:
                // A burst with one deadline: the start-up batch's gates.
                for key in keys.prefix(Int.random(in: 1...40, using: &rng)) {
                    queue.push(deadline: clock + 30, key: key, kind: .gate)
                    reference.push(clock + 30, key)
                }
            case 5..<9:
                clock += UInt64.random(in: 0...10, using: &rng)
                while let top = queue.first, top.deadline <= clock {
                    let expected = reference.popFirst()
                    let popped = queue.popFirst()
                    #expect(popped?.sequence == expected?.sequence && popped?.key == expected?.key, "step \(step)")
                }
            default:
                let dropped = keys.randomElement(using: &rng)!
                queue.compact { $0.key != dropped }
                reference.timers.removeAll { $0.key == dropped }
            }
            #expect(queue.count == reference.timers.count, "step \(step)")
            #expect(queue.entries.map(\.sequence).sorted() == reference.timers.map(\.sequence).sorted(), "step \(step)")
        }
        while let expected = reference.popFirst() {
            #expect(queue.popFirst()?.sequence == expected.sequence)
        }
        #expect(queue.popFirst() == nil && queue.count == 0)
    }

    @Test func aLongRunThatNeverEmptiesDropsWhatLeftIt() {
        var queue = WatchTimerQueue()
        let key = TaskKey(project: "p", taskID: "t")
        for deadline in 0..<10_000 as Range<UInt64> {
            queue.push(deadline: deadline * 2, key: key, kind: .settle)
            queue.push(deadline: deadline * 2 + 1, key: key, kind: .settle)
            #expect(queue.popFirst()?.deadline == deadline)
        }
        #expect(queue.count == 10_000)
        #expect(queue.first?.deadline == 10_000)
    }
}
