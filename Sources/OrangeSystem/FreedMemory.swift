import Glibc

/// Gives memory that was freed back to the kernel.
///
/// A full pass over a large tree (the engine's start-up, a reconcile's scan) allocates a parsed
/// copy of every TASK.md and frees it soon after; glibc keeps those pages mapped, so the resident
/// size of a long-running `orange watch` stayed at its peak. `malloc_trim` returns the free
/// pages, at the cost of a walk over the heap, which is why it runs only after such passes.
public enum FreedMemory {
    public static func returnToSystem() {
        _ = trim?(0)
    }

    /// `malloc_trim` is declared in <malloc.h>, which the Glibc module does not import; it is
    /// looked up once rather than adding a C target for one function. nil on a libc without it.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
}
