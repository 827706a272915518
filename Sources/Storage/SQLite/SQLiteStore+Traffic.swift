import Core
import Foundation
import GRDB

/// A batch's views or clicks summed per hour (and placement) and per UTC day, upserted into the
/// two traffic rollups with one cached statement each.
struct TrafficRollup {
    struct HourKey: Hashable { var eventID: Int64, bucketStart: Int64, placementID: Int64 }
    struct DayKey: Hashable, Comparable {
        var eventID: Int64, dayStart: Int64
        static func < (a: DayKey, b: DayKey) -> Bool { (a.eventID, a.dayStart) < (b.eventID, b.dayStart) }
    }

    var hours: [HourKey: Int] = [:]
    var days: [DayKey: Int] = [:]

    mutating func add(eventID: Int64, placementID: Int64?, at epochSeconds: Int64) {
        hours[HourKey(eventID: eventID, bucketStart: TrafficTime.hourStart(epochSeconds), placementID: placementID ?? 0), default: 0] += 1
        days[DayKey(eventID: eventID, dayStart: TrafficTime.dayStart(epochSeconds)), default: 0] += 1
    }

    /// `column` is `views` or `clicks` (ours, never input).
    func write(_ db: Database, column: StaticString) throws {
        let column = "\(column)"
        let hourly = try db.cachedStatement(
            sql: """
                INSERT INTO traffic_hourly (event_id, bucket_start, placement_id, \(column)) VALUES (?, ?, ?, ?)
                ON CONFLICT (event_id, bucket_start, placement_id) DO UPDATE SET \(column) = \(column) + excluded.\(column)
                """)
        for (key, count) in hours { try hourly.execute(arguments: [key.eventID, key.bucketStart, key.placementID, count]) }
        let daily = try db.cachedStatement(
            sql: """
                INSERT INTO traffic_daily (event_id, day_start, \(column)) VALUES (?, ?, ?)
                ON CONFLICT (event_id, day_start) DO UPDATE SET \(column) = \(column) + excluded.\(column)
                """)
        for (key, count) in days { try daily.execute(arguments: [key.eventID, key.dayStart, count]) }
    }
}

extension SQLiteStore {
    @discardableResult
    public func recordImpressions(_ impressions: [Impression]) throws -> Int {
        guard !impressions.isEmpty else { return 0 }
        return try write { db in
            let ids = Array(Set(impressions.map(\.eventID)))
            let liveIDs = Set(
                try Int64.fetchAll(
                    db, sql: "SELECT id FROM events WHERE id IN (\(databaseQuestionMarks(count: ids.count)))", arguments: StatementArguments(ids)))
            let live = try Self.resolvePlacements(db, impressions.filter { liveIDs.contains($0.eventID) })
                .sorted { ($0.eventID, $0.viewedAt) < ($1.eventID, $1.viewedAt) }
            var traffic = TrafficRollup()
            var visitors: [TrafficRollup.DayKey: VisitorSketch] = [:]
            for view in live {
                traffic.add(eventID: view.eventID, placementID: view.placementID, at: view.viewedAt)
                if let hash = view.visitorHash {
                    visitors[TrafficRollup.DayKey(eventID: view.eventID, dayStart: view.dayStart), default: VisitorSketch()].add(hash: hash)
                }
            }
            try Self.insertRows(db, live, rowsPerInsert: Self.viewRowsPerInsert, into: "widget_views (event_id, placement_id, viewed_at)", width: 3) {
                view, row in
                row.append(view.eventID)
                row.append(view.placementID)
                row.append(view.viewedAt)
            }
            try traffic.write(db, column: "views")
            for (key, batch) in visitors.sorted(by: { $0.key < $1.key }) {
                var sketch = batch
                if let stored = try Data.fetchOne(
                    db, sql: "SELECT sketch FROM visitor_sketches WHERE event_id = ? AND day_start = ?", arguments: [key.eventID, key.dayStart]),
                    let previous = VisitorSketch(encoded: Array(stored))
                {
                    sketch.merge(previous)
                }
                try db.execute(
                    sql: """
                        INSERT INTO visitor_sketches (event_id, day_start, sketch) VALUES (?, ?, ?)
                        ON CONFLICT (event_id, day_start) DO UPDATE SET sketch = excluded.sketch
                        """, arguments: [key.eventID, key.dayStart, Data(sketch.encoded)])
                try db.execute(
                    sql: "UPDATE traffic_daily SET unique_visitors = ? WHERE event_id = ? AND day_start = ?",
                    arguments: [sketch.estimate, key.eventID, key.dayStart])
            }
            return live.count
        }
    }

    static func resolvePlacements<Item: PlacementAttributed>(_ db: Database, _ items: [Item]) throws -> [Item] {
        let keys = PlacementResolution.keys(items)
        guard !keys.isEmpty else { return items }
        var found: [String: PlacementResolution.Found] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT id, event_id, public_key FROM placements WHERE public_key IN (\(databaseQuestionMarks(count: keys.count)))",
            arguments: StatementArguments(keys))
        {
            found[row[2]] = PlacementResolution.Found(id: row[0], eventID: row[1])
        }
        return PlacementResolution.apply(found, to: items)
    }

    /// Rows per multi-row INSERT of views (3 parameters each).
    static let viewRowsPerInsert = 300

    public func trafficBuckets(eventID: Int64, from: Int64, to: Int64) throws -> [TrafficBucket] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT bucket_start, placement_id, views, clicks FROM traffic_hourly
                    WHERE event_id = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start
                    """, arguments: [eventID, from, to]
            ).map { TrafficBucket(bucketStart: $0[0], placementID: $0[1], views: $0[2], clicks: $0[3]) }
        }
    }

    public func visitorCounts(eventID: Int64, firstDay: Int64, lastDay: Int64) throws -> [Int64: Int] {
        try read { db in
            var counts: [Int64: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT day_start, unique_visitors FROM traffic_daily WHERE event_id = ? AND day_start BETWEEN ? AND ?",
                arguments: [eventID, firstDay, lastDay])
            {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    public func eventSummaries(userID: Int64) throws -> [EventSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, public_id, title, start_datetime, status FROM events WHERE user_id = ?", arguments: [userID])
                .map { row in
                    let id: Int64 = row[0]
                    guard let publicID = PublicID(row[1] as String), let status = EventStatus(rawValue: row[4]) else {
                        throw StorageError.corruptRow(table: "events", id: id)
                    }
                    return EventSummary(id: id, publicID: publicID, title: row[2], start: Date(epochSeconds: row[3]), status: status)
                }
        }
    }

    /// One pass over the daily rollup for views, clicks and visitors (their day ranges differ by
    /// at most a day at either end: the whole UTC days inside the window, and the UTC days of its
    /// dates), then the edge hours a zone's midnight cuts off, from the hourly rollup.
    public func trafficTotals(userID: Int64, window: TrafficWindow) throws -> [Int64: TrafficTotals] {
        let split = window.split
        let days = split.days.isEmpty ? window.firstDay..<window.firstDay : split.days
        let scanned = min(days.lowerBound, window.firstDay)..<max(days.upperBound, window.lastDay + 1)
        return try read { db in
            var totals: [Int64: TrafficTotals] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT event_id,
                        TOTAL(CASE WHEN day_start >= ?1 AND day_start < ?2 THEN views END),
                        TOTAL(CASE WHEN day_start >= ?1 AND day_start < ?2 THEN clicks END),
                        TOTAL(CASE WHEN day_start >= ?3 AND day_start <= ?4 THEN unique_visitors END)
                    FROM traffic_daily WHERE event_id IN (SELECT id FROM events WHERE user_id = ?5) AND day_start >= ?6 AND day_start < ?7
                    GROUP BY event_id
                    """,
                arguments: [days.lowerBound, days.upperBound, window.firstDay, window.lastDay, userID, scanned.lowerBound, scanned.upperBound])
            {
                totals[row[0]] = TrafficTotals(views: Int(row[1] as Double), clicks: Int(row[2] as Double), uniqueVisitors: Int(row[3] as Double))
            }
            for hours in split.hours {
                try Self.addSums(
                    db, into: &totals, userID: userID, range: hours,
                    sql: "SELECT event_id, SUM(views), SUM(clicks) FROM traffic_hourly WHERE %EVENTS% AND bucket_start >= ? AND bucket_start < ? GROUP BY event_id"
                ) { totals, views, clicks in
                    totals.views += views
                    totals.clicks += clicks
                }
            }
            return totals.filter { $0.value != TrafficTotals() }
        }
    }

    public func trafficTotalsFromRawRows(userID: Int64, window: TrafficWindow) throws -> [Int64: TrafficTotals] {
        try read { db in
            var totals: [Int64: TrafficTotals] = [:]
            let range = window.start..<window.end
            try Self.addSums(
                db, into: &totals, userID: userID, range: range,
                sql: "SELECT event_id, COUNT(*), 0 FROM widget_views WHERE %EVENTS% AND viewed_at >= ? AND viewed_at < ? GROUP BY event_id"
            ) { totals, views, _ in totals.views += views }
            try Self.addSums(
                db, into: &totals, userID: userID, range: range,
                sql: "SELECT event_id, COUNT(*), 0 FROM widget_interactions WHERE %EVENTS% AND clicked_at >= ? AND clicked_at < ? GROUP BY event_id"
            ) { totals, clicks, _ in totals.clicks += clicks }
            return totals
        }
    }

    /// Runs one per-event aggregate over the organizer's events (`%EVENTS%`) in `range` and folds
    /// its two sums into `totals`.
    private static func addSums(
        _ db: Database, into totals: inout [Int64: TrafficTotals], userID: Int64, range: Range<Int64>, sql: String,
        _ add: (inout TrafficTotals, Int, Int) -> Void
    ) throws {
        let query = sql.replacingOccurrences(of: "%EVENTS%", with: "event_id IN (SELECT id FROM events WHERE user_id = ?)")
        for row in try Row.fetchAll(db, sql: query, arguments: [userID, range.lowerBound, range.upperBound]) {
            add(&totals[row[0], default: TrafficTotals()], row[1], row[2])
        }
    }

    public func visitorSecrets(candidates: [Int64: [UInt8]], destroyBefore: Int64) throws -> [Int64: [UInt8]] {
        try write { db in
            try db.execute(sql: "DELETE FROM visitor_secrets WHERE day_start < ?", arguments: [destroyBefore])
            var secrets: [Int64: [UInt8]] = [:]
            // A day already over never gets a secret again: its visitors stay uncountable.
            for (day, candidate) in candidates.sorted(by: { $0.key < $1.key }) where day >= destroyBefore {
                try db.execute(
                    sql: "INSERT INTO visitor_secrets (day_start, secret) VALUES (?, ?) ON CONFLICT (day_start) DO NOTHING",
                    arguments: [day, Data(candidate)])
                if let stored = try Data.fetchOne(db, sql: "SELECT secret FROM visitor_secrets WHERE day_start = ?", arguments: [day]) {
                    secrets[day] = Array(stored)
                }
            }
            return secrets
        }
    }

    public func destroyVisitorSecrets(before: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM visitor_secrets WHERE day_start < ?", arguments: [before]) }
    }

    public func rawViewCount(eventID: Int64?) throws -> Int {
        try read { db in
            if let eventID {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM widget_views WHERE event_id = ?", arguments: [eventID]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM widget_views") ?? 0
        }
    }
}
