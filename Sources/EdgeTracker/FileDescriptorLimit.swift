#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit, which bounds how many connections the tracker can hold: every
/// connection is a descriptor, and running out of them breaks accepts and database opens alike.
enum FileDescriptorLimit {
    /// Descriptors kept back for everything that is not a client connection: the database, its WAL
    /// and shared memory per connection, listening sockets, event-loop descriptors, standard streams.
    static let reserved = 128

    /// Raises the soft `RLIMIT_NOFILE` toward the hard limit as far as `wanted` connections plus the
    /// reserve need (what nginx's `worker_rlimit_nofile` does), and returns how many connections fit.
    static func connectionCap(wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return wanted }
        let needed = rlim_t(wanted + reserved)
        if limit.rlim_cur != unlimited && limit.rlim_cur < needed {
            var raised = limit
            raised.rlim_cur = limit.rlim_max == unlimited ? needed : min(needed, limit.rlim_max)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur != unlimited else { return wanted }
        return max(1, min(wanted, Int(clamping: limit.rlim_cur) - reserved))
    }

    /// `RLIM_INFINITY` (all bits set), which Swift does not import as a constant.
    private static let unlimited = rlim_t.max

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
