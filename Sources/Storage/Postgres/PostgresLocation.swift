import Foundation

/// A `postgres://` / `postgresql://` URL taken apart: where to connect and as whom. The password
/// may come from the URL, `PGPASSWORD`, or a file named by `--db-password-file` /
/// `ATTENDIFY_DB_PASSWORD_FILE` (the last two keep it out of the process list and shell history).
struct PostgresLocation: Equatable, Sendable {
    /// libpq's meanings: `prefer` and `require` encrypt without checking the certificate;
    /// `verify-ca` checks it against the system's trust store, `verify-full` also the host name.
    enum TLSMode: String, Sendable { case disable, prefer, require, verifyCA, verifyFull }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode
    /// Most connections this process opens to the server.
    var poolSize: Int
    /// The schema Attendify's tables live in (`public` unless `?schema=` names another): lets one
    /// database hold several installations, and the test suites isolate each test cheaply.
    var schema: String

    static let defaultPoolSize = 10

    /// Parses `url`; `environment` and `passwordFile` supply the password when the URL has none.
    init(url text: String, passwordFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(DatabaseLocation.Problem)
    {
        let shown = DatabaseLocation.redacted(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw DatabaseLocation.Problem(description: "--db \(shown) is not a valid postgres:// URL") }
        guard let host = components.host, !host.isEmpty else {
            throw DatabaseLocation.Problem(description: "--db \(shown): give a host, e.g. postgres://attendify@127.0.0.1:5432/attendify")
        }
        self.host = host
        self.port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw DatabaseLocation.Problem(description: "--db \(shown): port \(port) is out of range") }
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? "attendify"
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? (environment["PGDATABASE"] ?? username) : (path.removingPercentEncoding ?? path)
        var tls = TLSMode.prefer
        var poolSize = Self.defaultPoolSize
        var schema = "public"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value ?? "" {
                case "disable": tls = .disable
                case "allow", "prefer": tls = .prefer
                case "require": tls = .require
                case "verify-ca": tls = .verifyCA
                case "verify-full": tls = .verifyFull
                default:
                    throw DatabaseLocation.Problem(
                        description: "--db \(shown): sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
                }
            case "pool_size":
                guard let value = item.value.flatMap(Int.init), (1...500).contains(value) else {
                    throw DatabaseLocation.Problem(description: "--db \(shown): pool_size must be a whole number from 1 to 500")
                }
                poolSize = value
            case "schema":
                // A plain identifier: it is written into SQL and the search_path.
                guard let value = item.value, !value.isEmpty, value.count <= 63, value.first.map({ $0.isLetter || $0 == "_" }) == true,
                    value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                else {
                    throw DatabaseLocation.Problem(description: "--db \(shown): schema must be letters, digits and _ (up to 63), starting with a letter")
                }
                schema = value.lowercased()
            default:
                throw DatabaseLocation.Problem(description: "--db \(shown): unknown option '\(item.name)' (known: sslmode, pool_size, schema)")
            }
        }
        self.tls = tls
        self.poolSize = poolSize
        self.schema = schema
        if let inURL = components.password {
            password = inURL.removingPercentEncoding ?? inURL
        } else if let file = passwordFile ?? environment["ATTENDIFY_DB_PASSWORD_FILE"], !file.isEmpty {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw DatabaseLocation.Problem(description: "--db-password-file \(file) cannot be read")
            }
            // One line; the newline an editor or `echo` adds is not part of the password.
            password = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .newlines)
        } else {
            password = environment["PGPASSWORD"]
        }
    }

    /// Where, without credentials: for logs, messages and `summary()`.
    var displayName: String {
        "postgres://\(username)@\(host):\(port)/\(database)" + (schema == "public" ? "" : "?schema=\(schema)")
    }
}
