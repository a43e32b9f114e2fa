import Glibc

/// glibc heap settings for the one long-running process, the engine.
///
/// `malloc.h` is not part of the Glibc module, so its two functions are looked up once by name
/// rather than adding a C target for them; on a libc without them nothing happens.
public enum HeapTuning {
    /// One malloc arena for the whole process. The engine parses a large tree on every core,
    /// and by default each parsing thread gets its own arena, which keeps the records it
    /// allocated for as long as the graph holds them: at 100,000 tasks the resident size was
    /// about 90 MB larger (docs/performance.md). Call it before starting threads.
    public static func useOneArena() {
        _ = mallopt?(arenaMaximum, 1)
    }

    /// Gives freed memory back to the kernel. A full pass over a large tree (the engine's
    /// start-up, a reconcile's scan) allocates a parsed copy of every TASK.md and frees it soon
    /// after; glibc keeps those pages mapped unless asked. It walks the heap, so it runs only
    /// after such passes.
    public static func returnFreedMemory() {
        _ = trim?(0)
    }

    /// `M_ARENA_MAX` in <malloc.h>.
    private static let arenaMaximum: Int32 = -8

    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = function("mallopt")
    private static let trim: (@convention(c) (Int) -> Int32)? = function("malloc_trim")

    private static func function<F>(_ name: String) -> F? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: F.self)
    }
}
