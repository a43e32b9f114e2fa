/// Which of a watcher's lines shows a change *finished*, the one a consumer could act on.
///
/// A rename-over save first writes a temporary file in the task's folder; a raw watcher
/// reports it before the rename, so a line that merely names the folder would count as the
/// reaction to a change not yet made. Only these count, per watcher:
/// - orange: its line for the task (it reports after reading the finished file);
/// - inotifywait: `MOVED_TO` or `CLOSE_WRITE` of the task's `TASK.md`;
/// - watchdog: `moved` onto, or `closed` (after writing) of, the task's `TASK.md`;
/// - watchfiles: `added` or `modified` of the task's `TASK.md` (it reports batches, after the
///   writes went quiet, without event kinds finer than that);
/// - chokidar: `add` or `change` of the task's `TASK.md` (it has no close-write event, so for
///   an in-place save the first write can already be reported);
/// - stat pollers: `changed` of the task's `TASK.md`.
///
/// A deleted task counts once its folder is gone (`DELETE,ISDIR`, `deleted` or `unlinkDir` of the
/// folder; `removed` of its `TASK.md` for a poller, which only lists files).
extension PeerWatcher {
    enum Dialect {
        case orange, inotifywait, watchdog, watchfiles, chokidar, poller
    }

    /// Whether `line` reports the finished change of task `id` (its deletion when `deleted`).
    func reportsFinished(_ line: String, id: String, deleted: Bool) -> Bool {
        let words = line.split(separator: " ")
        if dialect == .orange {
            return line.split(whereSeparator: { $0 == "/" || $0 == " " || $0 == "\"" }).contains { $0 == id }
        }
        guard let event = words.first, let path = words.last, words.count >= 2 else { return false }
        let file = "/" + id + "/TASK.md", folder = "/" + id
        if deleted {
            switch dialect {
            case .inotifywait: return event.contains("DELETE") && event.contains("ISDIR") && path.hasSuffix(folder)
            case .watchdog, .watchfiles: return event == "deleted" && path.hasSuffix(folder)
            case .chokidar: return event == "unlinkDir" && path.hasSuffix(folder)
            case .poller: return event == "removed" && path.hasSuffix(file)
            case .orange: return false
            }
        }
        guard path.hasSuffix(file) else { return false }
        switch dialect {
        case .inotifywait: return event.split(separator: ",").contains { $0 == "MOVED_TO" || $0 == "CLOSE_WRITE" }
        case .watchdog: return event == "moved" || event == "closed"
        case .watchfiles: return event == "added" || event == "modified"
        case .chokidar: return event == "add" || event == "change"
        case .poller: return event == "changed"
        case .orange: return false
        }
    }
}
