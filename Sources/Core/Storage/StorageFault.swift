import GRDB

/// Operational failures of the storage, as opposed to bugs: the database is locked by another
/// writer for longer than the busy timeout, the disk is full, or the file cannot be reached.
/// Callers answer these with "try again later" (503) or "insufficient storage" (507) instead of
/// an internal error; the raw SQLite codes stay behind this boundary.
public enum StorageFault: Sendable, Equatable {
    case busy
    case full
    case unavailable

    /// The fault behind a storage error, or nil when the error is something else.
    public init?(_ error: any Error) {
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy
        case .SQLITE_FULL: self = .full
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PROTOCOL, .SQLITE_NOLFS: self = .unavailable
        default: return nil
        }
    }
}
