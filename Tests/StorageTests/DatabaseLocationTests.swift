@testable import Storage
import Core
import Foundation
import TestSupport
import Testing

/// `--db` names a SQLite file or a PostgreSQL URL; anything the product cannot use is refused
/// before a file is created (before, `postgres://host/db` silently became a SQLite file `postgres:`).
@Suite struct DatabaseLocationTests {
    @Test(arguments: ["postgres://ann@db.example/attendify", "postgresql://db.example:5433/attendify?sslmode=require"])
    func postgresURLsAreRecognized(_ text: String) throws {
        #expect(try DatabaseLocation(parsing: text) == .postgres(url: text))
    }

    @Test(arguments: ["./data/attendify.sqlite", "/var/lib/attendify/attendify.sqlite", "db.sqlite", "./odd:name.sqlite", "/srv/a:b/db"])
    func pathsAreSQLite(_ text: String) throws {
        #expect(try DatabaseLocation(parsing: text) == .sqlite(path: text))
    }

    @Test(arguments: ["mysql://db/attendify", "sqlite:///tmp/x", "file:db.sqlite", "", "   "])
    func otherSchemesAndEmptyAreRefused(_ text: String) {
        #expect(throws: DatabaseLocation.Problem.self) { try DatabaseLocation(parsing: text) }
    }

    @Test func aPostgresURLIsNeverOpenedAsASQLiteFile() throws {
        #expect(throws: DatabaseLocation.Problem.self) { try SQLiteStore.open(path: "postgres://ann:hunter2@db.example/attendify") }
        // What the old code created, relative to the working directory.
        #expect(!FileManager.default.fileExists(atPath: "postgres:"))
    }

    @Test func anUnreachableServerIsRefusedClearlyWithoutThePassword() throws {
        do {
            _ = try StorageEngine.open("postgres://ann:hunter2@127.0.0.1:1/attendify", logger: .init(label: "test"))
            Issue.record("an unreachable server was accepted")
        } catch let problem as DatabaseLocation.Problem {
            #expect(problem.description.contains("cannot reach PostgreSQL"))
            #expect(problem.description.contains("postgres://ann@127.0.0.1:1/attendify"))
            #expect(!problem.description.contains("hunter2"))
        }
        #expect(!FileManager.default.fileExists(atPath: "postgres:"))
    }

    @Test func postgresURLsCarryHostPortDatabaseAndOptions() throws {
        let location = try PostgresLocation(url: "postgresql://ann@db.example:5433/stats?sslmode=require&pool_size=4", environment: [:])
        #expect(location.host == "db.example")
        #expect(location.port == 5433)
        #expect(location.username == "ann")
        #expect(location.database == "stats")
        #expect(location.tls == .require)
        #expect(location.poolSize == 4)
        #expect(location.password == nil)
        #expect(try PostgresLocation(url: "postgres://h/db?sslmode=verify-full", environment: [:]).tls == .verifyFull)
        #expect(try PostgresLocation(url: "postgres://h/db?sslmode=disable", environment: [:]).tls == .disable)
        #expect(try PostgresLocation(url: "postgres://h/db", environment: [:]).tls == .prefer)
        for bad in ["postgres:///nohost", "postgres://h/db?sslmode=sometimes", "postgres://h/db?pool_size=0", "postgres://h/db?color=blue"] {
            #expect(throws: DatabaseLocation.Problem.self, "\(bad)") { try PostgresLocation(url: bad, environment: [:]) }
        }
    }

    @Test func thePasswordComesFromTheURLThenAFileThenPGPASSWORD() throws {
        let folder = try TemporaryDirectory()
        let file = folder.file("pw")
        try Data("from-file\n".utf8).write(to: URL(fileURLWithPath: file))
        let environment = ["PGPASSWORD": "from-env"]
        #expect(try PostgresLocation(url: "postgres://a:in%40url@h/db", passwordFile: file, environment: environment).password == "in@url")
        #expect(try PostgresLocation(url: "postgres://a@h/db", passwordFile: file, environment: environment).password == "from-file")
        #expect(try PostgresLocation(url: "postgres://a@h/db", environment: ["ATTENDIFY_DB_PASSWORD_FILE": file]).password == "from-file")
        #expect(try PostgresLocation(url: "postgres://a@h/db", environment: environment).password == "from-env")
        #expect(throws: DatabaseLocation.Problem.self) {
            try PostgresLocation(url: "postgres://a@h/db", passwordFile: folder.file("missing"), environment: environment)
        }
    }

    @Test func foldersFilesThatAreNotSQLiteAndFileParentsAreRefused() throws {
        let folder = try TemporaryDirectory()
        let text = folder.file("notes.txt")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: text))
        for bad in [folder.path, text, "\(text)/db.sqlite"] {
            #expect(throws: DatabaseLocation.Problem.self, "\(bad)") { try SQLiteStore.open(path: bad) }
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "not a database")
        // A new file in a new folder, and an existing database, still open.
        let fresh = folder.file("deeper/still/db.sqlite")
        _ = try SQLiteStore.open(path: fresh)
        _ = try SQLiteStore.open(path: fresh)
    }
}
