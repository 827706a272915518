import Foundation
import Core
import GRDB

extension SQLiteStore {
    /// Commits a batch of clicks in one transaction: the raw rows and the hourly rollup together,
    /// so statistics (read from the rollup) always agree with the raw rows. Clicks of events
    /// deleted meanwhile are skipped (not an error: the visitor was already redirected).
    /// Returns how many clicks were stored.
    @discardableResult
    public func recordClicks(_ clicks: [Click]) throws -> Int {
        guard !clicks.isEmpty else { return 0 }
        return try write { db in
            let liveIDs = Set(
                try Int64.fetchAll(
                    db, sql: "SELECT id FROM events WHERE id IN (\(databaseQuestionMarks(count: Set(clicks.map(\.eventID)).count)))",
                    arguments: StatementArguments(Array(Set(clicks.map(\.eventID))))))
            // Inserting in (event, time) order walks the (event_id, clicked_at) index sequentially
            // instead of jumping around it: fewer page visits per click.
            let live = try Self.resolvePlacements(db, clicks.filter { liveIDs.contains($0.eventID) })
                .sorted { ($0.eventID, $0.clickedAt) < ($1.eventID, $1.clickedAt) }
            var rollup: [RollupKey: Int] = [:]
            var traffic = TrafficRollup()
            for click in live {
                rollup[RollupKey(eventID: click.eventID, bucketStart: click.bucketStart, type: click.type.rawValue), default: 0] += 1
                traffic.add(eventID: click.eventID, placementID: click.placementID, at: click.clickedAt)
            }
            try Self.insertRows(
                db, live, rowsPerInsert: Self.rowsPerInsert,
                into: "widget_interactions (event_id, interaction_type, clicked_at, placement_id, ip_address, user_agent)", width: 6
            ) { click, row in
                row.append(click.eventID)
                row.append(click.type.rawValue)
                row.append(click.clickedAt)
                row.append(click.placementID)
                row.append(click.ipAddress)
                row.append(click.userAgent)
            }
            let stored = live.count
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count) VALUES (?, ?, ?, ?)
                    ON CONFLICT (event_id, bucket_start, interaction_type) DO UPDATE SET count = count + excluded.count
                    """)
            for (key, count) in rollup {
                try upsert.execute(arguments: [key.eventID, key.bucketStart, key.type, count])
            }
            try traffic.write(db, column: "clicks")
            var storedPerEvent: [Int64: Int] = [:]
            for click in live { storedPerEvent[click.eventID, default: 0] += 1 }
            try Self.queueMilestones(db, storedPerEvent: storedPerEvent, now: Date())
            return stored
        }
    }

    /// Rows per multi-row INSERT (6 parameters each, far below SQLite's limit of 32,766).
    static let rowsPerInsert = 200

    /// Many rows per INSERT: SQLite's per-statement cost is paid once per chunk, not per row.
    /// `into` is the table and its `width` columns (ours, never input); `append` adds one item's
    /// values in that order (appended in place: no array per row on the writer's hot path).
    static func insertRows<Item>(
        _ db: Database, _ items: [Item], rowsPerInsert: Int, into: String, width: Int,
        append: (Item, inout [(any DatabaseValueConvertible)?]) -> Void
    ) throws {
        guard !items.isEmpty else { return }
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var start = 0
        while start < items.count {
            let chunk = items[start..<min(start + rowsPerInsert, items.count)]
            // Full chunks reuse one cached statement; the one shorter tail per batch is prepared
            // afresh, so the cache does not fill with a statement per possible tail length.
            let sql = "INSERT INTO \(into) VALUES " + Array(repeating: row, count: chunk.count).joined(separator: ", ")
            let insert = chunk.count == rowsPerInsert ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(chunk.count * width)
            for item in chunk { append(item, &arguments) }
            // The statement is ours and its parameter count exact: skip GRDB's per-call checks.
            insert.setUncheckedArguments(StatementArguments(arguments))
            try insert.execute()
            start += chunk.count
        }
    }

    /// Raw click rows of one event (tests and benchmarks compare them with what was acknowledged).
    public func rawClickCount(eventID: Int64?) throws -> Int {
        try read { db in
            if let eventID {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM widget_interactions WHERE event_id = ?", arguments: [eventID]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM widget_interactions") ?? 0
        }
    }

    /// Sum of the rollup, optionally for one event.
    public func rollupClickCount(eventID: Int64?) throws -> Int {
        try read { db in
            if let eventID {
                return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM interaction_counts WHERE event_id = ?", arguments: [eventID]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM interaction_counts") ?? 0
        }
    }

    /// Whether any raw click row carries client information (privacy tests).
    public func storedClientInfoCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM widget_interactions WHERE ip_address IS NOT NULL OR user_agent IS NOT NULL") ?? 0
        }
    }
}

private struct RollupKey: Hashable {
    var eventID: Int64
    var bucketStart: Int64
    var type: String
}
