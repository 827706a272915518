/// glibc gives every thread that allocates its own malloc arena, and keeps what a thread freed
/// in that arena. Our work hops across many threads (the blocking-work pools, NIO's loops), so
/// a burst of short-lived allocations (an export's pages, a click batch) leaves each arena
/// holding its share, and resident memory grows with the thread count rather than the work.
/// Two arenas keep contention low on the machines we run on and memory flat.
enum MemoryArenas {
    static func limit() {
        #if os(Linux)
        _ = glibcMallopt(mArenaMax, 2)
        #endif
    }

    /// `M_ARENA_MAX` from <malloc.h>, which the Glibc module does not export.
    private static let mArenaMax: Int32 = -8
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
