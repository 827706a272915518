/// Operational failures of the storage, as opposed to bugs: the database is locked by another
/// writer for longer than the wait allows, the disk is full, or the server cannot be reached.
/// Callers answer these with "try again later" (503) or "insufficient storage" (507) instead of
/// an internal error. Each engine maps its own error codes to these at its boundary.
public enum StorageFault: Error, Sendable, Equatable {
    case busy
    case full
    case unavailable

    /// The fault behind an error, or nil when the error is something else.
    public init?(_ error: any Error) {
        guard let fault = error as? StorageFault else { return nil }
        self = fault
    }
}
