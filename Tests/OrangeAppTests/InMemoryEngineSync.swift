import OrangeCore
import Synchronization

/// The `watch sync` handshake in memory: an engine that runs or not, and that answers a cookie
/// after it has been asked `answersAfter` times (never when nil).
final class InMemoryEngineSync: EngineSync {
    private struct State {
        var running = false
        var answersAfter: Int? = 0
        var cookies: Set<String> = []
        var answers: Set<String> = []
        var looks = 0
    }

    private let state = Mutex(State())

    /// Starts an engine that answers after `looks` looks for the answer (nil: never).
    func runEngine(answeringAfter looks: Int?) {
        state.withLock {
            $0.running = true
            $0.answersAfter = looks
        }
    }

    var cookies: Set<String> { state.withLock { $0.cookies } }
    var answers: Set<String> { state.withLock { $0.answers } }
    var looks: Int { state.withLock { $0.looks } }

    func engineIsRunning() throws -> Bool { state.withLock { $0.running } }
    func dropCookie(_ token: String) throws { _ = state.withLock { $0.cookies.insert(token) } }
    func withdrawCookie(_ token: String) { _ = state.withLock { $0.cookies.remove(token) } }

    func takeAnswer(_ token: String) -> Bool {
        let due = state.withLock { state -> Bool in
            state.looks += 1
            return state.answersAfter.map { state.looks > $0 } ?? false
        }
        if due { _ = answer(token) }
        return state.withLock { $0.answers.remove(token) != nil }
    }

    func waitingCookies() -> [String] { state.withLock { $0.cookies.sorted() } }

    func answer(_ token: String) -> Bool {
        state.withLock { state in
            guard state.cookies.remove(token) != nil else { return false }
            state.answers.insert(token)
            return true
        }
    }
}
