import Core
import Foundation
import GRDB
import Logging
import PostgresNIO

/// `attendify migrate-to-postgres`: copies a whole SQLite installation into an empty PostgreSQL
/// database, keeping every id (so embed codes, public ids, sessions and statistics carry over),
/// in one PostgreSQL transaction: it either all arrives or none of it does. Then it verifies by
/// comparing the two: row counts of every table, and per event and provider both the raw click
/// count and the rollup sum. The SQLite file is only read.
public enum SQLiteToPostgres {
    public struct Report: Sendable, CustomStringConvertible {
        /// Rows per table, as found in both databases after the copy.
        public var counts: [(table: String, rows: Int)]
        /// Per-event statistics rows compared (event, provider).
        public var statisticsCompared: Int

        public var description: String {
            counts.map { "\($0.table): \($0.rows)" }.joined(separator: ", ") + "; statistics equal for \(statisticsCompared) event/provider pairs"
        }
    }

    public enum Problem: Error, CustomStringConvertible {
        case targetNotEmpty(String)
        case mismatch(String)

        public var description: String {
            switch self {
            case .targetNotEmpty(let what): "the PostgreSQL database already holds \(what); migrate-to-postgres only fills an empty one"
            case .mismatch(let what): "verification failed after the copy: \(what)"
            }
        }
    }

    static let tables = [
        "users", "sessions", "events", "user_settings", "widget_interactions", "interaction_counts", "event_tombstones", "placements",
        "widget_views", "traffic_hourly", "traffic_daily", "visitor_sketches", "visitor_secrets", "api_tokens", "webhooks",
    ]
    static let chunk = 5_000

    public static func copy(from sqlitePath: String, to url: String, passwordFile: String? = nil, logger: Logger) throws -> Report {
        guard FileManager.default.fileExists(atPath: sqlitePath) else {
            throw DatabaseLocation.Problem(description: "--from \(sqlitePath): no SQLite database there")
        }
        let source = try SQLiteStore.open(path: sqlitePath)  // also brings an older file up to the current schema
        let target = try PostgresStore.connect(url: url, passwordFile: passwordFile, logger: logger)
        defer { target.close() }
        try target.write { connection in
            for table in tables {
                let rows = try connection.run("SELECT COUNT(*) FROM \(unescaped: table)").single(Int64.self)
                if rows > 0 { throw Problem.targetNotEmpty("\(rows) row(s) in \(table)") }
            }
            try source.read { db in try copyRows(db, into: connection) }
        }
        return try verify(source, target)
    }

    private static func copyRows(_ db: GRDB.Database, into connection: PostgresConnection) throws {
        try eachChunk(db, "SELECT id, email, password_hash, full_name, created_at, updated_at, feed_id FROM users") { rows in
            // The feed id is copied: subscribers' URLs must keep working after the move.
            try connection.run(
                """
                INSERT INTO users (id, email, password_hash, full_name, created_at, updated_at, feed_id)
                SELECT i, e, p, NULLIF(f, ''), c, u, d FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[], \(rows.map { $0["email"] as String })::TEXT[],
                \(rows.map { $0["password_hash"] as String })::TEXT[], \(rows.map { ($0["full_name"] as String?) ?? "" })::TEXT[],
                \(rows.map { $0["created_at"] as Int64 })::BIGINT[], \(rows.map { $0["updated_at"] as Int64 })::BIGINT[],
                \(rows.map { $0["feed_id"] as String })::TEXT[]) AS x(i, e, p, f, c, u, d)
                """)
        }
        try eachChunk(db, "SELECT id, user_id, token_hash, created_at, expires_at FROM sessions") { rows in
            try connection.run(
                """
                INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at)
                SELECT * FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[], \(rows.map { $0["user_id"] as Int64 })::BIGINT[],
                \(rows.map { $0["token_hash"] as String })::TEXT[], \(rows.map { $0["created_at"] as Int64 })::BIGINT[],
                \(rows.map { $0["expires_at"] as Int64 })::BIGINT[])
                """)
        }
        try eachChunk(
            db,
            """
            SELECT id, user_id, public_id, title, description, start_datetime, end_datetime, timezone, webinar_url, customization_settings,
            sequence, created_at, updated_at, status, recording_url, listed, ended_published_for, aged_published_for,
            COALESCE(recurrence, '') AS recurrence, COALESCE(last_end, end_datetime) AS last_end,
            COALESCE(session_render_at, -1) AS session_render_at FROM events
            """
        ) { rows in
            // -1 stands for "never rendered" in the arrays (no end time is negative).
            try connection.run(
                """
                INSERT INTO events (id, user_id, public_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
                customization_settings, sequence, created_at, updated_at, status, recording_url, listed, ended_published_for,
                aged_published_for, recurrence, last_end, session_render_at)
                SELECT a, b, c, d, e, f, g, h, i, j, k, l, m, n, NULLIF(o, ''), p, NULLIF(q, -1), NULLIF(r, -1), NULLIF(s, ''), t,
                NULLIF(u, -1) FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[], \(rows.map { $0["user_id"] as Int64 })::BIGINT[],
                \(rows.map { $0["public_id"] as String })::TEXT[], \(rows.map { $0["title"] as String })::TEXT[],
                \(rows.map { $0["description"] as String })::TEXT[], \(rows.map { $0["start_datetime"] as Int64 })::BIGINT[],
                \(rows.map { $0["end_datetime"] as Int64 })::BIGINT[], \(rows.map { $0["timezone"] as String })::TEXT[],
                \(rows.map { $0["webinar_url"] as String })::TEXT[], \(rows.map { $0["customization_settings"] as String })::TEXT[],
                \(rows.map { Int32(clamping: $0["sequence"] as Int64) })::INTEGER[], \(rows.map { $0["created_at"] as Int64 })::BIGINT[],
                \(rows.map { $0["updated_at"] as Int64 })::BIGINT[], \(rows.map { $0["status"] as String })::TEXT[],
                \(rows.map { ($0["recording_url"] as String?) ?? "" })::TEXT[], \(rows.map { $0["listed"] as Bool })::BOOLEAN[],
                \(rows.map { ($0["ended_published_for"] as Int64?) ?? -1 })::BIGINT[],
                \(rows.map { ($0["aged_published_for"] as Int64?) ?? -1 })::BIGINT[], \(rows.map { $0["recurrence"] as String })::TEXT[],
                \(rows.map { $0["last_end"] as Int64 })::BIGINT[], \(rows.map { $0["session_render_at"] as Int64 })::BIGINT[])
                AS x(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u)
                """)
        }
        try eachChunk(
            db,
            """
            SELECT rowid AS id, public_id, user_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
            customization_settings, sequence, listed, created_at, deleted_at, COALESCE(recurrence, '') AS recurrence,
            COALESCE(last_end, end_datetime) AS last_end FROM event_tombstones
            """
        ) { rows in
            try connection.run(
                """
                INSERT INTO event_tombstones (public_id, user_id, title, description, start_datetime, end_datetime, timezone, webinar_url,
                customization_settings, sequence, listed, created_at, deleted_at, recurrence, last_end)
                SELECT a, b, c, d, e, f, g, h, i, j, k, l, m, NULLIF(n, ''), o FROM unnest(\(rows.map { $0["public_id"] as String })::TEXT[], \(rows.map { $0["user_id"] as Int64 })::BIGINT[],
                \(rows.map { $0["title"] as String })::TEXT[], \(rows.map { $0["description"] as String })::TEXT[],
                \(rows.map { $0["start_datetime"] as Int64 })::BIGINT[], \(rows.map { $0["end_datetime"] as Int64 })::BIGINT[],
                \(rows.map { $0["timezone"] as String })::TEXT[], \(rows.map { $0["webinar_url"] as String })::TEXT[],
                \(rows.map { $0["customization_settings"] as String })::TEXT[],
                \(rows.map { Int32(clamping: $0["sequence"] as Int64) })::INTEGER[], \(rows.map { $0["listed"] as Bool })::BOOLEAN[],
                \(rows.map { $0["created_at"] as Int64 })::BIGINT[], \(rows.map { $0["deleted_at"] as Int64 })::BIGINT[],
                \(rows.map { $0["recurrence"] as String })::TEXT[], \(rows.map { $0["last_end"] as Int64 })::BIGINT[])
                AS x(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)
                """)
        }
        try eachChunk(db, "SELECT rowid AS id, user_id, iframe_defaults, updated_at FROM user_settings") { rows in
            try connection.run(
                """
                INSERT INTO user_settings (user_id, iframe_defaults, updated_at)
                SELECT * FROM unnest(\(rows.map { $0["user_id"] as Int64 })::BIGINT[], \(rows.map { $0["iframe_defaults"] as String })::TEXT[],
                \(rows.map { $0["updated_at"] as Int64 })::BIGINT[])
                """)
        }
        try eachChunk(db, "SELECT id, event_id, interaction_type, clicked_at, ip_address, user_agent, COALESCE(placement_id, 0) AS placement_id FROM widget_interactions") { rows in
            try connection.run(
                """
                INSERT INTO widget_interactions (id, event_id, interaction_type, clicked_at, ip_address, user_agent, placement_id)
                SELECT i, e, t, c, NULLIF(a, ''), NULLIF(u, ''), NULLIF(p, 0) FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[],
                \(rows.map { $0["event_id"] as Int64 })::BIGINT[], \(rows.map { $0["interaction_type"] as String })::TEXT[],
                \(rows.map { $0["clicked_at"] as Int64 })::BIGINT[], \(rows.map { ($0["ip_address"] as String?) ?? "" })::TEXT[],
                \(rows.map { ($0["user_agent"] as String?) ?? "" })::TEXT[], \(rows.map { $0["placement_id"] as Int64 })::BIGINT[])
                AS x(i, e, t, c, a, u, p)
                """)
        }
        try copyTraffic(db, into: connection)
        try copyIntegrations(db, into: connection)
        try eachChunk(db, "SELECT event_id, bucket_start, interaction_type, count FROM interaction_counts", key: nil) { rows in
            try connection.run(
                """
                INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
                SELECT * FROM unnest(\(rows.map { $0["event_id"] as Int64 })::BIGINT[], \(rows.map { $0["bucket_start"] as Int64 })::BIGINT[],
                \(rows.map { $0["interaction_type"] as String })::TEXT[], \(rows.map { $0["count"] as Int64 })::BIGINT[])
                """)
        }
        // New rows continue after the copied ids instead of colliding with them.
        for table in ["users", "sessions", "events", "widget_interactions", "placements", "widget_views", "api_tokens", "webhooks"] {
            try connection.run(
                "SELECT setval(pg_get_serial_sequence('\(unescaped: table)', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \(unescaped: table)")
        }
    }

    /// Personal API tokens and webhooks (migration v6), so scripts and receivers keep working
    /// after the move. Mailed links and the outboxes are short-lived and not copied: stop the
    /// old server once its outboxes are empty.
    private static func copyIntegrations(_ db: GRDB.Database, into connection: PostgresConnection) throws {
        try eachChunk(db, "SELECT id, user_id, name, scopes, token_hash, created_at, COALESCE(expires_at, -1) AS expires_at, COALESCE(last_used_at, -1) AS last_used_at FROM api_tokens") { rows in
            try connection.run(
                """
                INSERT INTO api_tokens (id, user_id, name, scopes, token_hash, created_at, expires_at, last_used_at)
                SELECT a, b, c, d, e, f, NULLIF(g, -1), NULLIF(h, -1) FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[],
                \(rows.map { $0["user_id"] as Int64 })::BIGINT[], \(rows.map { $0["name"] as String })::TEXT[],
                \(rows.map { $0["scopes"] as String })::TEXT[], \(rows.map { $0["token_hash"] as String })::TEXT[],
                \(rows.map { $0["created_at"] as Int64 })::BIGINT[], \(rows.map { $0["expires_at"] as Int64 })::BIGINT[],
                \(rows.map { $0["last_used_at"] as Int64 })::BIGINT[]) AS x(a, b, c, d, e, f, g, h)
                """)
        }
        try eachChunk(db, "SELECT id, user_id, url, events, COALESCE(description, '') AS description, secret, created_at FROM webhooks") { rows in
            try connection.run(
                """
                INSERT INTO webhooks (id, user_id, url, events, description, secret, created_at)
                SELECT a, b, c, d, NULLIF(e, ''), f, g FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[],
                \(rows.map { $0["user_id"] as Int64 })::BIGINT[], \(rows.map { $0["url"] as String })::TEXT[],
                \(rows.map { $0["events"] as String })::TEXT[], \(rows.map { $0["description"] as String })::TEXT[],
                \(rows.map { $0["secret"] as String })::TEXT[], \(rows.map { $0["created_at"] as Int64 })::BIGINT[])
                AS x(a, b, c, d, e, f, g)
                """)
        }
    }

    /// Placements, views and visitor counting (migration v5). Today's visitor secret moves too,
    /// so visitors counted before the move are not counted again after it.
    private static func copyTraffic(_ db: GRDB.Database, into connection: PostgresConnection) throws {
        try eachChunk(db, "SELECT id, event_id, public_key, name, created_at FROM placements") { rows in
            try connection.run(
                """
                INSERT INTO placements (id, event_id, public_key, name, created_at)
                SELECT * FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[], \(rows.map { $0["event_id"] as Int64 })::BIGINT[],
                \(rows.map { $0["public_key"] as String })::TEXT[], \(rows.map { $0["name"] as String })::TEXT[],
                \(rows.map { $0["created_at"] as Int64 })::BIGINT[])
                """)
        }
        try eachChunk(db, "SELECT id, event_id, COALESCE(placement_id, 0) AS placement_id, viewed_at FROM widget_views") { rows in
            try connection.run(
                """
                INSERT INTO widget_views (id, event_id, placement_id, viewed_at)
                SELECT i, e, NULLIF(p, 0), v FROM unnest(\(rows.map { $0["id"] as Int64 })::BIGINT[], \(rows.map { $0["event_id"] as Int64 })::BIGINT[],
                \(rows.map { $0["placement_id"] as Int64 })::BIGINT[], \(rows.map { $0["viewed_at"] as Int64 })::BIGINT[]) AS x(i, e, p, v)
                """)
        }
        try eachChunk(db, "SELECT event_id, bucket_start, placement_id, views, clicks FROM traffic_hourly", key: nil) { rows in
            try connection.run(
                """
                INSERT INTO traffic_hourly (event_id, bucket_start, placement_id, views, clicks)
                SELECT * FROM unnest(\(rows.map { $0["event_id"] as Int64 })::BIGINT[], \(rows.map { $0["bucket_start"] as Int64 })::BIGINT[],
                \(rows.map { $0["placement_id"] as Int64 })::BIGINT[], \(rows.map { $0["views"] as Int64 })::BIGINT[],
                \(rows.map { $0["clicks"] as Int64 })::BIGINT[])
                """)
        }
        try eachChunk(db, "SELECT event_id, day_start, views, clicks, unique_visitors FROM traffic_daily", key: nil) { rows in
            try connection.run(
                """
                INSERT INTO traffic_daily (event_id, day_start, views, clicks, unique_visitors)
                SELECT * FROM unnest(\(rows.map { $0["event_id"] as Int64 })::BIGINT[], \(rows.map { $0["day_start"] as Int64 })::BIGINT[],
                \(rows.map { $0["views"] as Int64 })::BIGINT[], \(rows.map { $0["clicks"] as Int64 })::BIGINT[],
                \(rows.map { $0["unique_visitors"] as Int64 })::BIGINT[])
                """)
        }
        // Few rows (one per event and day with visitors, one per day): one statement each.
        for row in try Row.fetchAll(db, sql: "SELECT event_id, day_start, sketch FROM visitor_sketches") {
            try connection.run(
                """
                INSERT INTO visitor_sketches (event_id, day_start, sketch)
                VALUES (\(row["event_id"] as Int64), \(row["day_start"] as Int64), \(row["sketch"] as Data))
                """)
        }
        for row in try Row.fetchAll(db, sql: "SELECT day_start, secret FROM visitor_secrets") {
            try connection.run("INSERT INTO visitor_secrets (day_start, secret) VALUES (\(row["day_start"] as Int64), \(row["secret"] as Data))")
        }
    }

    /// Reads `sql` in id order, `chunk` rows at a time (the rollup table has no id: one offset walk).
    private static func eachChunk(_ db: GRDB.Database, _ sql: String, key: String? = "id", _ body: ([Row]) throws -> Void) throws {
        if key == nil {
            let cursor = try Row.fetchCursor(db, sql: sql)
            var rows: [Row] = []
            while let row = try cursor.next() {
                rows.append(row.copy())
                if rows.count == chunk {
                    try body(rows)
                    rows.removeAll(keepingCapacity: true)
                }
            }
            if !rows.isEmpty { try body(rows) }
            return
        }
        var after: Int64 = .min
        while true {
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM (\(sql)) WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, chunk])
            guard let last = rows.last else { return }
            try body(rows)
            after = last["id"]
        }
    }

    /// Both databases, compared after the copy.
    static func verify(_ source: SQLiteStore, _ target: PostgresStore) throws -> Report {
        var counts: [(String, Int)] = []
        for table in tables {
            let here = try source.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            let there = Int(try target.read { connection in try connection.run("SELECT COUNT(*) FROM \(unescaped: table)").single(Int64.self) })
            guard here == there else { throw Problem.mismatch("\(table) has \(here) row(s) in SQLite but \(there) in PostgreSQL") }
            counts.append((table, here))
        }
        let statisticsSQL = """
            SELECT event_id, interaction_type, SUM(raw) AS raw, SUM(rolled) AS rolled FROM (
                SELECT event_id, interaction_type, COUNT(*) AS raw, 0 AS rolled FROM widget_interactions GROUP BY event_id, interaction_type
                UNION ALL
                SELECT event_id, interaction_type, 0, SUM(count) FROM interaction_counts GROUP BY event_id, interaction_type
            ) AS s GROUP BY event_id, interaction_type ORDER BY event_id, interaction_type
            """
        let here = try source.read { db in
            try Row.fetchAll(db, sql: statisticsSQL).map { "\($0["event_id"] as Int64)/\($0["interaction_type"] as String): \($0["raw"] as Int64)/\($0["rolled"] as Int64)" }
        }
        let there = try target.read { connection in
            try connection.run(PostgresQuery(unsafeSQL: statisticsSQL)).map { row in
                let (event, type, raw, rolled) = try row.decode((Int64, String, Decimal, Decimal).self)
                return "\(event)/\(type): \(raw)/\(rolled)"
            }
        }
        guard here == there else {
            let differing = zip(here, there).first { $0 != $1 }.map { "SQLite \($0.0) vs PostgreSQL \($0.1)" } ?? "\(here.count) vs \(there.count) pairs"
            throw Problem.mismatch("statistics differ (event/provider: raw/rollup): \(differing)")
        }
        return Report(counts: counts, statisticsCompared: here.count)
    }
}
