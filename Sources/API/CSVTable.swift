import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A CSV download (RFC 4180): a fixed header row, CRLF line ends, fields quoted when they hold a
/// comma, quote or line break. A text cell that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, as OWASP advises: an
/// event title is the organizer's text, but the file is opened by whoever they send it to.
struct CSVTable {
    enum Cell {
        case text(String)
        case number(Int)
        case rate(Double?)
    }

    let header: [String]
    private(set) var rows: [[Cell]] = []

    init(header: [String]) { self.header = header }

    mutating func append(_ row: [Cell]) { rows.append(row) }

    var text: String {
        var lines = [header.map(Self.field).joined(separator: ",")]
        for row in rows {
            lines.append(
                row.map { cell in
                    switch cell {
                    case .text(let value): Self.field(Self.defused(value))
                    case .number(let value): String(value)
                    case .rate(let value): value.map { String($0) } ?? ""
                    }
                }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func defused(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The download: `filename` must be plain ASCII (ours: ids and dates).
    func response(filename: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(filename)\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
