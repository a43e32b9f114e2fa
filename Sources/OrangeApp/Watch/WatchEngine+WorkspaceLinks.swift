import Dispatch
import OrangeCore
import OrangeSystem

// Saves made through a workspace's TASK.md link by rename (`sed -i`, `os.replace`, ...) replace
// the link with a plain file. The engine watches the top folder of each bound workspace and
// applies such a file to its task (`WorkspaceTaskFileRepair`) as soon as it is complete: renamed
// over the link, or closed after writing. A file only created may still be being written
// (`cp --remove-destination` creates it empty, then writes and closes it); it is looked at a
// second later if nothing said it was complete before.
extension WatchEngine {
    /// Watches the workspaces the pool binds now (in the engine's project, with `--project`), and
    /// with `repairDetached` also repairs every one whose TASK.md is not the link: at start-up,
    /// for what happened while no engine ran, and on every sweep, for what events missed.
    func syncWorkspaceLinks(repairDetached: Bool) {
        guard options.performsActions else { return }
        let slots = ((try? context.stores.pool.read())?.slots ?? []).filter { slot in
            slot.task != nil && (options.project == nil || slot.project == options.project)
        }
        linkWatcher?.watch(Set(slots.map(\.name)))
        guard repairDetached else { return }
        for slot in slots where WorkspaceTaskFileRepair(context: context).isDetached(slot.name) {
            startLinkRepair(slot.name)
        }
    }

    /// How long a TASK.md that was only created or removed waits before it is looked at.
    static let incompleteSaveWait: UInt64 = 1_000_000_000

    /// Reads the link watcher's events: a pool change re-reads the bindings; a complete TASK.md
    /// is looked at now, one only created or removed a second later.
    func readWorkspaceLinkEvents() {
        guard let links = linkWatcher else { return }
        let changes: WorkspaceLinkWatcher.Changes
        do {
            changes = try links.read()
        } catch {
            emit(.object([("event", "error"), ("message", .string("\(error)"))]), "error: \(error)")
            return
        }
        if changes.poolChanged { syncWorkspaceLinks(repairDetached: false) }
        let now = clock.monotonicNanoseconds()
        for workspace in changes.touched where pendingLinkChecks[workspace] == nil {
            pendingLinkChecks[workspace] = now + Self.incompleteSaveWait
        }
        for workspace in changes.complete { pendingLinkChecks[workspace] = now }
    }

    /// When the next look at a touched TASK.md is due, if one is waiting.
    var nextLinkCheck: UInt64? { pendingLinkChecks.values.min() }

    /// Starts the repair of each workspace whose look is due and whose TASK.md is a
    /// plain file (the link put back by a repair comes back here as an event, and stops here).
    func startDueLinkRepairs() {
        let now = clock.monotonicNanoseconds()
        for (workspace, due) in pendingLinkChecks where due <= now {
            pendingLinkChecks[workspace] = nil
            if WorkspaceTaskFileRepair(context: context).isDetached(workspace) { startLinkRepair(workspace) }
        }
    }

    /// Off the loop's thread: the repair waits for the task's and the worktree's locks. The
    /// task's file it writes comes back through the tasks tree's watcher like any edit.
    private func startLinkRepair(_ workspace: String) {
        // Reported once, by the engine's own event line (and orange.log): not also on stderr,
        // which the dashboard's frame owns.
        var quiet = self.context
        quiet.console.diagnostics = { _ in }
        let (context, emit) = (quiet, self.emit)
        let link = context.workspacePath(workspace) + "/TASK.md"
        linkRepairQueue.async {
            do {
                switch try WorkspaceTaskFileRepair(context: context).repair(workspace: workspace) {
                case .notDetached:
                    break
                case .relinked:
                    emit(
                        .object([("event", "workspace_link"), ("workspace", .string(workspace)), ("outcome", "relinked")]),
                        "  engine: \(workspace)/TASK.md was saved unchanged; the link is back")
                case .applied(let from, let to):
                    emit(
                        .object([
                            ("event", "workspace_link"), ("workspace", .string(workspace)), ("outcome", "applied"),
                            ("from", .string(from.rawValue)), ("to", .string(to.rawValue)),
                        ]),
                        "  engine: applied the save of \(workspace)/TASK.md to its task (\(from.rawValue) → \(to.rawValue)); the link is back"
                    )
                case .keptAside(let file):
                    emit(
                        .object([
                            ("event", "workspace_link"), ("workspace", .string(workspace)), ("outcome", "kept_aside"),
                            ("file", .string(file.path)), ("line", file.line.map { .int(Int64($0)) } ?? .null),
                            ("reason", .string(file.reason)),
                        ]),
                        "! \(InvalidTaskFile(path: link, line: file.line, reason: file.reason)); not applied, kept as \(file.path); the link is back"
                    )
                }
            } catch {
                emit(
                    .object([("event", "error"), ("workspace", .string(workspace)), ("message", .string("\(error)"))]),
                    "error: \(workspace)/TASK.md: \(error)")
            }
        }
    }
}
