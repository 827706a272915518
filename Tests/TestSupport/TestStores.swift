import Core
import Foundation
import Logging
import Storage

/// The engines a suite runs against: SQLite always; PostgreSQL when `scripts/test.sh` has started
/// a throwaway server (`ATTENDIFY_TEST_POSTGRES_URL` / `_PASSWORD`). Under CI the PostgreSQL
/// runs are required: without the server they fail instead of silently not running.
public enum Backend: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    public static var available: [Backend] {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        return PostgresTestServer.shared != nil || ci ? [.sqlite, .postgres] : [.sqlite]
    }

    /// The engine of suites that run whole servers (HTTP, tracker, generator): SQLite, or the one
    /// `ATTENDIFY_TEST_BACKEND` names. `scripts/test.sh` runs those suites once per engine.
    public static var suiteDefault: Backend {
        Backend(rawValue: ProcessInfo.processInfo.environment["ATTENDIFY_TEST_BACKEND"] ?? "") ?? .sqlite
    }

    /// A `--db` location for a fresh, empty database on this engine (nothing opened yet).
    public func newLocation(in folder: TemporaryDirectory) throws -> String {
        switch self {
        case .sqlite: return folder.file("db-\(UUID().uuidString.prefix(8)).sqlite")
        case .postgres:
            guard let server = PostgresTestServer.shared else { throw PostgresTestServer.Missing() }
            return try server.freshDatabase()
        }
    }

    /// A fresh, empty, migrated store on this engine, with the `--db` location that opens it
    /// again (another process or node sharing it).
    public func makeStore(in folder: TemporaryDirectory) throws -> (store: any DataStore, location: String) {
        let location = try newLocation(in: folder)
        return (try reopen(location), location)
    }

    /// Another handle on the same database, as a second process would open it.
    public func reopen(_ location: String) throws -> any DataStore {
        try StorageEngine.open(location, logger: Logger(label: "test"))
    }
}

/// The suite-wide PostgreSQL `scripts/test.sh` started.
public struct PostgresTestServer: Sendable {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "PostgreSQL runs were asked for (CI=true or ATTENDIFY_TEST_BACKEND=postgres) but no server is set: run the tests through scripts/test.sh (it starts one and sets ATTENDIFY_TEST_POSTGRES_URL)"
        }
    }

    public let adminURL: String
    public let password: String

    public static let shared: PostgresTestServer? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["ATTENDIFY_TEST_POSTGRES_URL"], !url.isEmpty,
            let password = environment["ATTENDIFY_TEST_POSTGRES_PASSWORD"]
        else { return nil }
        // The stores the tests open read PGPASSWORD, as the product does.
        setenv("PGPASSWORD", password, 1)
        return PostgresTestServer(adminURL: url, password: password)
    }()

    /// A URL for an empty schema of its own in the shared test database: as isolated as a
    /// database of its own for everything but LISTEN channels (harmless extra wake-ups), and far
    /// cheaper to make than hundreds of databases. Small pools: the suites run many servers at once.
    public func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        return adminURL + "?pool_size=3&schema=" + name
    }
}
