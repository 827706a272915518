import Core
import Foundation
import Hummingbird
import NIOCore

/// Writes an organizer's export as it reads it: keyset pages from the database, each encoded and
/// sent before the next is read, so the export of any account holds one page in memory.
struct AccountExport: Sendable {
    let database: any DataStore
    let user: User
    let publicBase: String
    let now: Date

    static let eventsPerPage = 100
    static let clicksPerPage = 1_000
    /// Bytes gathered before a write: large enough for few writes, small enough to stay flat.
    /// Each write waits while the connection's buffer is full, so a slow reader slows the export
    /// down instead of making it pile up here.
    static let flushBytes = 32 * 1024

    /// The small part, read before the answer starts.
    struct Header: Encodable {
        var format = "attendify-export"
        var version = 1
        var exportedAt: String
        var user: UserResponse
        var settings: CustomizationOverrides
        var apiTokens: [APITokenResponse]
        var webhooks: [WebhookResponse]
        var sessions: [SessionInfoResponse]

        enum CodingKeys: String, CodingKey {
            case format, version, user, settings, webhooks, sessions
            case exportedAt = "exported_at"
            case apiTokens = "api_tokens"
        }
    }

    func header() throws -> Header {
        Header(
            exportedAt: RFC3339.format(now), user: UserResponse(user), settings: try database.widgetDefaults(userID: user.id),
            apiTokens: try database.apiTokens(userID: user.id).map { APITokenResponse(token: $0) },
            webhooks: try database.webhooks(userID: user.id).map { WebhookResponse(webhook: $0) },
            sessions: try database.sessions(userID: user.id, now: now).map { SessionInfoResponse($0, current: false) })
    }

    func write(header: Header, to writer: inout any ResponseBodyWriter) async throws {
        var out = ChunkedOutput()
        let encoder = Self.encoder()
        // The header object without its closing brace, then the long arrays after it.
        var opening = try encoder.encode(header)
        opening.removeLast()  // "}"
        out.append(opening)
        out.append(#","events":["#)
        var after: Int64 = 0
        var first = true
        while true {
            let from = after
            let page = try await blocking { try database.exportEvents(userID: user.id, afterID: from, limit: Self.eventsPerPage) }
            guard let last = page.last else { break }
            for event in page {
                let placements = try await blocking { try database.placements(eventID: event.id) }
                if !first { out.append(",") }
                first = false
                out.append(try encoder.encode(ExportedEvent(event: EventResponse(event, publicBase: publicBase, now: now), placements: placements)))
            }
            after = last.id
            try await out.flush(to: &writer, ifAbove: Self.flushBytes)
        }
        out.append(#"],"traffic_daily":["#)
        let traffic = try await blocking { try database.exportTraffic(userID: user.id) }
        for (index, day) in traffic.enumerated() {
            if index > 0 { out.append(",") }
            out.append(try encoder.encode(ExportedDay(day)))
            if index % 1_000 == 999 { try await out.flush(to: &writer, ifAbove: Self.flushBytes) }
        }
        out.append(#"],"clicks":["#)
        first = true
        try await eachClickPage { page in
            for click in page {
                if !first { out.append(",") }
                first = false
                out.append(try encoder.encode(ExportedClickRow(click)))
            }
            try await out.flush(to: &writer, ifAbove: Self.flushBytes)
        }
        out.append("]}")
        try await out.flush(to: &writer, ifAbove: 0)
        try await writer.finish(nil)
    }

    func writeClicksCSV(to writer: inout any ResponseBodyWriter) async throws {
        var out = ChunkedOutput()
        out.append("event_id,event_public_id,provider,placement,clicked_at\r\n")
        try await eachClickPage { page in
            for click in page {
                let placement = click.placement.map { CSVTable.field(CSVTable.defused($0)) } ?? ""
                out.append("\(click.eventID),\(click.eventPublicID),\(click.provider),\(placement),\(RFC3339.format(click.clickedAt))\r\n")
            }
            try await out.flush(to: &writer, ifAbove: Self.flushBytes)
        }
        try await out.flush(to: &writer, ifAbove: 0)
        try await writer.finish(nil)
    }

    private func eachClickPage(_ body: ([ExportedClick]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let from = after
            let page = try await blocking { try database.exportClicks(userID: user.id, afterID: from, limit: Self.clicksPerPage) }
            guard let last = page.last else { return }
            try await body(page)
            after = last.id
        }
    }

    /// Storage calls block: the body is written outside the request's handler, so each read
    /// hops onto the blocking-work threads itself.
    private func blocking<T: Sendable>(_ read: @escaping @Sendable () throws -> T) async throws -> T {
        try await withTaskExecutorPreference(BlockingWorkExecutor.shared) { try read() }
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// Bytes gathered between writes to the response.
private struct ChunkedOutput {
    var buffer = ByteBuffer()

    mutating func append(_ text: String) { buffer.writeString(text) }
    mutating func append(_ data: Data) { buffer.writeBytes(data) }

    mutating func flush(to writer: inout any ResponseBodyWriter, ifAbove limit: Int) async throws {
        guard buffer.readableBytes > limit, buffer.readableBytes > 0 else { return }
        try await writer.write(buffer)
        buffer = ByteBuffer()
    }
}

private struct ExportedEvent: Encodable {
    var event: EventResponse
    var placements: [Placement]

    func encode(to encoder: any Encoder) throws {
        try event.encode(to: encoder)  // the event's own keys, then its placements beside them
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(placements.map(ExportedPlacement.init), forKey: .placements)
    }

    enum Keys: String, CodingKey { case placements }
}

private struct ExportedPlacement: Encodable {
    var id: Int64
    var name: String
    var key: String
    var createdAt: String

    init(_ placement: Placement) {
        id = placement.id
        name = placement.name
        key = placement.key.rawValue
        createdAt = RFC3339.format(placement.createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, key
        case createdAt = "created_at"
    }
}

private struct ExportedDay: Encodable {
    var eventID: Int64
    var day: String
    var views: Int
    var clicks: Int
    var uniqueVisitors: Int

    init(_ traffic: DailyTraffic) {
        eventID = traffic.eventID
        day = String(RFC3339.format(Date(epochSeconds: traffic.dayStart)).prefix(10))
        views = traffic.views
        clicks = traffic.clicks
        uniqueVisitors = traffic.uniqueVisitors
    }

    enum CodingKeys: String, CodingKey {
        case day, views, clicks
        case eventID = "event_id"
        case uniqueVisitors = "unique_visitors"
    }
}

private struct ExportedClickRow: Encodable {
    var eventID: Int64
    var provider: String
    var placement: String?
    var clickedAt: String

    init(_ click: ExportedClick) {
        eventID = click.eventID
        provider = click.provider
        placement = click.placement
        clickedAt = RFC3339.format(click.clickedAt)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(eventID, forKey: .eventID)
        try container.encode(provider, forKey: .provider)
        try container.encode(placement, forKey: .placement)
        try container.encode(clickedAt, forKey: .clickedAt)
    }

    enum CodingKeys: String, CodingKey {
        case provider, placement
        case eventID = "event_id"
        case clickedAt = "clicked_at"
    }
}
