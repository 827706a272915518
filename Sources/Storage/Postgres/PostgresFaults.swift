import Core
import NIOCore
import PostgresNIO

/// PostgreSQL's errors become the domain's here, so no caller sees a PostgresNIO type.
enum PostgresFaults {
    /// SQLSTATE codes (https://www.postgresql.org/docs/15/errcodes-appendix.html).
    static let uniqueViolation = "23505"
    static let serializationFailure = "40001"
    static let deadlockDetected = "40P01"

    static func sqlState(_ error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        return error.serverInfo?[.sqlState]
    }

    /// Whether running the whole transaction again may succeed (and is safe: nothing committed).
    static func isRetryable(_ error: any Error) -> Bool {
        let state = sqlState(error)
        return state == serializationFailure || state == deadlockDetected
    }

    /// Whether the connection is unusable afterwards (the pool drops it instead of reusing it):
    /// lost under a statement, refused before one (`StaleConnection`), or given up on by our own
    /// deadline (`StorageFault`). Errors of our own code (a `Problem`, a decoding failure) leave it
    /// usable: the transaction helpers roll back before rethrowing.
    static func breaksConnection(_ error: any Error) -> Bool {
        error is StorageFault || error is StaleConnection || lostConnection(error)
    }

    /// The connection was lost under a statement (as opposed to the statement failing, or our
    /// own deadline giving up on it): what a retry on a fresh connection may cure.
    static func lostConnection(_ error: any Error) -> Bool {
        if error is IOError || error is ChannelError { return true }
        guard let error = error as? PSQLError else { return false }
        if error.code == .server { return sqlState(error)?.hasPrefix("57P") == true || sqlState(error)?.hasPrefix("08") == true }
        return error.code != .tooManyParameters
    }

    /// The operational fault behind an error, or the error itself.
    static func mapped(_ error: any Error) -> any Error {
        if let stale = error as? StaleConnection { return mapped(stale.underlying) }
        if error is StorageFault || error is StorageError { return error }
        if let state = sqlState(error) {
            switch state {
            case "23503": return StorageError.notFound  // foreign_key_violation: what it refers to was deleted meanwhile
            case "53100": return StorageFault.full  // disk_full
            case "53200", "53300", "55P03", "57014", serializationFailure, deadlockDetected:
                return StorageFault.busy  // out of memory, too many connections, lock timeout, cancelled, retries used up
            default:
                if state.hasPrefix("57P") || state.hasPrefix("08") || state.hasPrefix("58") { return StorageFault.unavailable }
                // The message names the problem; the detail (which can quote row values) is left out.
                let message = (error as? PSQLError)?.serverInfo?[.message] ?? ""
                return StorageError.engine("PostgreSQL error \(state): \(message)")
            }
        }
        if let error = error as? PSQLError, error.code != .tooManyParameters {
            // Refused, reset, closed or timed-out connections: the server is not there right now.
            return StorageFault.unavailable
        }
        if error is IOError || error is ChannelError { return StorageFault.unavailable }
        if let error = error as? PSQLError { return StorageError.engine("PostgreSQL: \(error.code)") }
        if error is PostgresDecodingError { return StorageError.engine("PostgreSQL: a column did not decode (\(String(describing: error).prefix(120)))") }
        return error
    }
}
