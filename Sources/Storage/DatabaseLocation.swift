import Foundation

/// What `--db` (or `ATTENDIFY_DB`) names: a SQLite file, or a PostgreSQL URL. Parsed and checked
/// before anything is opened, so a location the product cannot use is refused at start-up with a
/// message saying why, instead of turning `postgres://host/db` into a SQLite file called
/// `postgres:` or failing later with a raw SQLite error.
public enum DatabaseLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(Problem) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw Problem(description: "--db is empty: give a SQLite file path or a postgres:// URL") }
        if let scheme = Self.scheme(of: trimmed) {
            switch scheme.lowercased() {
            case "postgres", "postgresql": self = .postgres(url: trimmed)
            default:
                throw Problem(
                    description:
                        "--db \(Self.redacted(trimmed)): '\(scheme):' is not a database this product can use; give a SQLite file path (e.g. ./data/attendify.sqlite) or a postgres:// URL (write ./\(trimmed) for a file whose name has a colon)"
                )
            }
            return
        }
        self = .sqlite(path: trimmed)
    }

    /// A URL scheme: letters, digits, `+ - .` before the first `:`, and no `/` before it (so
    /// `./data:x.sqlite` and `/var/lib/a:b` stay paths).
    static func scheme(of text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let candidate = text[..<colon]
        guard let first = candidate.first, first.isASCII, first.isLetter,
            candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        return String(candidate)
    }

    /// The location without a password, for messages and logs (`postgres://ann:***@host/db`).
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].lastIndex(of: "@") else { return text }
        let credentials = text[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return text[..<colon] + ":***" + text[at...]
    }

    /// Refuses a SQLite path that cannot be a database file: a folder, a file that is not SQLite,
    /// or a parent that is a file.
    public static func checkSQLitePath(_ path: String) throws(Problem) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { throw Problem(description: "--db \(path) is a folder; give the path of a SQLite file inside it") }
            if let handle = FileHandle(forReadingAtPath: path) {
                let header = (try? handle.read(upToCount: 16)) ?? Data()
                try? handle.close()
                if !header.isEmpty, header != Data("SQLite format 3\u{0}".utf8) {
                    throw Problem(description: "--db \(path) exists but is not a SQLite database; refusing to touch it")
                }
            }
        }
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        while !parent.isEmpty, parent != "/" {
            if FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder) {
                if !isFolder.boolValue { throw Problem(description: "--db \(path): \(parent) is a file, not a folder") }
                return
            }
            parent = URL(fileURLWithPath: parent).deletingLastPathComponent().path
        }
    }
}
