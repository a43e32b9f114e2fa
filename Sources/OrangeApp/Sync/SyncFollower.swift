import Dispatch
import OrangeCore
import Synchronization

/// The engine's git work in shared tasks folders, on its own queue (a fetch or push may take
/// seconds; the watch loop must keep reading inotify): a round (commit, fetch, merge, push) every
/// `--sync-interval` seconds and soon after each change the engine sees, and the renewal of this
/// machine's claims. What a merge brings is applied by the engine's usual event path.
final class SyncFollower: Sendable {
    private struct State {
        var stopped = false
        /// A round is queued and has not started: a second request adds nothing.
        var queued = false
        var lastRenewal: Int64 = 0
        /// Per repository, what the last round said, so only changes are reported.
        var said: [String: String] = [:]
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "orange.engine.sync")
    private let context: AppContext
    private let machine: String
    private let intervalMilliseconds: Int
    private let leaseMilliseconds: Int64
    private let emit: @Sendable (JSONValue, String) -> Void

    init(context: AppContext, machine: String, intervalSeconds: Double, emit: @escaping @Sendable (JSONValue, String) -> Void) {
        self.context = context
        self.machine = machine
        intervalMilliseconds = max(50, Int(intervalSeconds * 1000))
        let lease = context.environment[GitSpawnClaims.leaseVariable].flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        leaseMilliseconds = (lease ?? GitSpawnClaims.defaultLeaseSeconds) * 1000
        self.emit = emit
    }

    func start() {
        request()
        scheduleTick()
    }

    func stop() { state.withLock { $0.stopped = true } }

    /// A round soon (the engine saw a change, which may be this machine's to push).
    func request() {
        let queue = state.withLock { state -> Bool in
            guard !state.stopped, !state.queued else { return false }
            state.queued = true
            return true
        }
        guard queue else { return }
        self.queue.asyncAfter(deadline: .now() + .milliseconds(20)) { [self] in round() }
    }

    private func scheduleTick() {
        queue.asyncAfter(deadline: .now() + .milliseconds(intervalMilliseconds)) { [self] in
            guard !state.withLock({ $0.stopped }) else { return }
            round()
            scheduleTick()
        }
    }

    /// One round in every shared folder, then the renewal of claims when it is due.
    func round() {
        state.withLock { $0.queued = false }
        guard !state.withLock({ $0.stopped }) else { return }
        renewClaimsIfDue()
        let folders = context.stores.sharedTasks
        for name in folders.names() {
            let report: SharedTasksRound
            do {
                report = try folders.syncRound(name, machine: machine)
            } catch {
                context.logger.warn("sync", "Sync round failed", [("repository", .string(name)), ("error", .string("\(error)"))])
                say(
                    name, "error: \(error)", .object([("event", "sync"), ("repository", .string(name)), ("error", .string("\(error)"))]),
                    "! sync \(name): \(error)")
                continue
            }
            report.log(name, context.logger)
            let merged: Int
            if case .merged(let files) = report.merge { merged = files } else { merged = 0 }
            let json = JSONValue.object([
                ("event", "sync"), ("repository", .string(name)), ("reachable", .bool(report.reachable)),
                ("merged_files", .int(Int64(merged))), ("pushed", .bool(report.pushed)), ("error", .optional(report.error)),
            ])
            if !report.reachable {
                say(name, "offline", json, "! sync \(name): remote unreachable (\(report.error ?? "")); work goes on, no new claim")
            } else if let error = report.error {
                say(name, "error: \(error)", json, "! sync \(name): \(error)")
            } else {
                say(name, "ok", json, "  sync \(name): remote reachable")
            }
        }
    }

    /// Reports a repository's state when it changed (offline, back, a conflict), not every round.
    private func say(_ folder: String, _ key: String, _ json: JSONValue, _ text: String) {
        let changed = state.withLock { state -> Bool in
            let before = state.said[folder]
            state.said[folder] = key
            return before != key && !(before == nil && key == "ok")
        }
        if changed { emit(json, text) }
    }

    /// Pushes the lease of every claim of this machine forward while its engine runs, a quarter
    /// of a lease at a time, so another machine never sees a live machine's lease expire.
    private func renewClaimsIfDue() {
        let now = context.clock.now()
        let due = state.withLock { state -> Bool in
            guard now.millisecondsSinceEpoch - state.lastRenewal >= leaseMilliseconds / 4 else { return false }
            state.lastRenewal = now.millisecondsSinceEpoch
            return true
        }
        guard due, let tasks = try? context.stores.tasks.scanWithoutBodies(project: nil).tasks else { return }
        let until = now.adding(milliseconds: leaseMilliseconds)
        for task in tasks where task.claimedBy == machine && Self.holdsMachine(task) {
            guard let left = task.claimUntil, left.millisecondsSinceEpoch - now.millisecondsSinceEpoch > leaseMilliseconds / 2 else {
                _ = try? context.stores.tasks.update(task.id, in: task.project) { record in
                    guard record.claimedBy == machine else { return }
                    record.setClaim(ClaimStamp(machine: machine, until: until))
                }
                continue
            }
        }
    }

    /// A task whose claim still means something: its agent runs, or its workspace or session is held.
    static func holdsMachine(_ task: TaskRecord) -> Bool {
        [.working, .clarification].contains(task.status) || task.workspace != nil || task.tmuxSession != nil
    }
}

extension SharedTasksRound {
    func log(_ folder: String, _ logger: any Logger) {
        guard committed || pushed || error != nil || merge != .upToDate else { return }
        var fields: [(String, JSONValue)] = [
            ("repository", .string(folder)), ("committed", .bool(committed)), ("pushed", .bool(pushed)),
            ("reachable", .bool(reachable)),
        ]
        if case .merged(let files) = merge { fields.append(("merged_files", .int(Int64(files)))) }
        if let error { fields.append(("error", .string(error))) }
        logger.info("sync", "Sync round", fields)
    }
}
