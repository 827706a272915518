import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    /// One transaction: lock the batch's events (`FOR KEY SHARE`, as clicks do: a concurrent
    /// delete waits, then its trigger takes these views along), one statement for the raw rows
    /// and both rollups, then each day's visitor sketch read-modify-written under its row lock.
    /// A missing sketch row is created empty first (`ON CONFLICT DO NOTHING`), so two trackers
    /// merging the same new day queue on the same row instead of overwriting each other.
    @discardableResult
    public func recordImpressions(_ impressions: [Impression]) throws -> Int {
        guard !impressions.isEmpty else { return 0 }
        let impressions = try resolvePlacements(impressions)
        return try write { connection in
            let ids = Array(Set(impressions.map(\.eventID))).sorted()
            let live = Set(
                try connection.run("SELECT id FROM events WHERE id = ANY(\(ids)::BIGINT[]) ORDER BY id FOR KEY SHARE").map { try $0.decode(Int64.self) })
            let views = impressions.filter { live.contains($0.eventID) }.sorted { ($0.eventID, $0.viewedAt) < ($1.eventID, $1.viewedAt) }
            guard !views.isEmpty else { return 0 }
            let eventIDs = views.map(\.eventID)
            let placements = views.map { $0.placementID ?? 0 }
            let times = views.map(\.viewedAt)
            let stored = try connection.run(
                """
                WITH batch AS (SELECT e, p, v FROM unnest(\(eventIDs)::BIGINT[], \(placements)::BIGINT[], \(times)::BIGINT[]) AS x(e, p, v)),
                raw AS (INSERT INTO widget_views (event_id, placement_id, viewed_at) SELECT e, NULLIF(p, 0), v FROM batch RETURNING 1),
                \(unescaped: Self.trafficRollupCTEs(column: "views", time: "v"))
                SELECT COUNT(*) FROM raw
                """
            ).single(Int64.self)
            var visitors: [TrafficRollup.DayKey: VisitorSketch] = [:]
            for view in views {
                if let hash = view.visitorHash {
                    visitors[TrafficRollup.DayKey(eventID: view.eventID, dayStart: view.dayStart), default: VisitorSketch()].add(hash: hash)
                }
            }
            guard !visitors.isEmpty else { return Int(stored) }
            let keys = visitors.keys.sorted()
            let keyEvents = keys.map(\.eventID)
            let keyDays = keys.map(\.dayStart)
            let empty = VisitorSketch().encoded
            try connection.run(
                """
                INSERT INTO visitor_sketches (event_id, day_start, sketch)
                SELECT e, d, \(Data(empty)) FROM unnest(\(keyEvents)::BIGINT[], \(keyDays)::BIGINT[]) AS x(e, d) ORDER BY 1, 2
                ON CONFLICT (event_id, day_start) DO NOTHING
                """)
            let rows = try connection.run(
                """
                SELECT event_id, day_start, sketch FROM visitor_sketches
                WHERE (event_id, day_start) IN (SELECT * FROM unnest(\(keyEvents)::BIGINT[], \(keyDays)::BIGINT[]))
                ORDER BY event_id, day_start FOR UPDATE
                """)
            // Merged in memory, then written back in one statement for both tables, whatever the
            // number of event-days in the batch (one UPDATE pair per event-day cost the writer
            // half its throughput on a batch spread over many events). Hex text: arrays of
            // BYTEA do not travel through the driver.
            var merged: (events: [Int64], days: [Int64], sketches: [String], estimates: [Int64]) = ([], [], [], [])
            for row in rows {
                let (eventID, day, bytes) = try row.decode((Int64, Int64, Data).self)
                guard var sketch = visitors[TrafficRollup.DayKey(eventID: eventID, dayStart: day)] else { continue }
                if let previous = VisitorSketch(encoded: Array(bytes)) { sketch.merge(previous) }
                merged.events.append(eventID)
                merged.days.append(day)
                merged.sketches.append(Self.hex(sketch.encoded))
                merged.estimates.append(Int64(sketch.estimate))
            }
            try connection.run(
                """
                WITH x AS (SELECT * FROM unnest(\(merged.events)::BIGINT[], \(merged.days)::BIGINT[], \(merged.sketches)::TEXT[],
                    \(merged.estimates)::BIGINT[]) AS x(e, d, h, u)),
                sketches AS (UPDATE visitor_sketches v SET sketch = decode(x.h, 'hex') FROM x WHERE v.event_id = x.e AND v.day_start = x.d)
                UPDATE traffic_daily t SET unique_visitors = x.u FROM x WHERE t.event_id = x.e AND t.day_start = x.d
                """)
            return Int(stored)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes` (a dense sketch is 4 KiB: no formatter per byte).
    static func hex(_ bytes: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public func trafficBuckets(eventID: Int64, from: Int64, to: Int64) throws -> [TrafficBucket] {
        try read { connection in
            try connection.run(
                """
                SELECT bucket_start, placement_id, views, clicks FROM traffic_hourly
                WHERE event_id = \(eventID) AND bucket_start >= \(from) AND bucket_start < \(to) ORDER BY bucket_start
                """
            ).map { row in
                let (start, placement, views, clicks) = try row.decode((Int64, Int64, Int64, Int64).self)
                return TrafficBucket(bucketStart: start, placementID: placement, views: Int(views), clicks: Int(clicks))
            }
        }
    }

    public func visitorCounts(eventID: Int64, firstDay: Int64, lastDay: Int64) throws -> [Int64: Int] {
        try read { connection in
            var counts: [Int64: Int] = [:]
            for row in try connection.run(
                "SELECT day_start, unique_visitors FROM traffic_daily WHERE event_id = \(eventID) AND day_start BETWEEN \(firstDay) AND \(lastDay)")
            {
                let (day, count) = try row.decode((Int64, Int64).self)
                counts[day] = Int(count)
            }
            return counts
        }
    }

    public func eventSummaries(userID: Int64) throws -> [EventSummary] {
        try read { connection in
            try connection.run("SELECT id, public_id, title, start_datetime, status FROM events WHERE user_id = \(userID)").map { row in
                let (id, publicID, title, start, status) = try row.decode((Int64, String, String, Int64, String).self)
                guard let publicID = PublicID(publicID), let status = EventStatus(rawValue: status) else {
                    throw StorageError.corruptRow(table: "events", id: id)
                }
                return EventSummary(id: id, publicID: publicID, title: title, start: Date(epochSeconds: start), status: status)
            }
        }
    }

    /// One pass over the daily rollup for views, clicks and visitors (their day ranges differ by
    /// at most a day at either end), then the edge hours. The organizer's events are given as an
    /// array (`= ANY(ARRAY(...))`), so each is one descent of the primary key and a range scan of
    /// its own rows: with `IN (SELECT ...)` the planner scanned the whole hourly table for an
    /// organizer with many events, and a `LATERAL` per event cost three times as much.
    public func trafficTotals(userID: Int64, window: TrafficWindow) throws -> [Int64: TrafficTotals] {
        let split = window.split
        let days = split.days.isEmpty ? window.firstDay..<window.firstDay : split.days
        let (from, to) = (min(days.lowerBound, window.firstDay), max(days.upperBound, window.lastDay + 1))
        return try snapshot { connection in
            var totals: [Int64: TrafficTotals] = [:]
            for row in try connection.run(
                """
                SELECT event_id,
                    COALESCE(SUM(CASE WHEN day_start >= \(days.lowerBound) AND day_start < \(days.upperBound) THEN views END), 0)::BIGINT,
                    COALESCE(SUM(CASE WHEN day_start >= \(days.lowerBound) AND day_start < \(days.upperBound) THEN clicks END), 0)::BIGINT,
                    COALESCE(SUM(CASE WHEN day_start >= \(window.firstDay) AND day_start <= \(window.lastDay) THEN unique_visitors END), 0)::BIGINT
                FROM traffic_daily WHERE event_id = ANY(ARRAY(SELECT id FROM events WHERE user_id = \(userID)))
                AND day_start >= \(from) AND day_start < \(to) GROUP BY event_id
                """)
            {
                let (eventID, views, clicks, visitors) = try row.decode((Int64, Int64, Int64, Int64).self)
                totals[eventID] = TrafficTotals(views: Int(views), clicks: Int(clicks), uniqueVisitors: Int(visitors))
            }
            for hours in split.hours {
                for row in try connection.run(
                    """
                    SELECT event_id, SUM(views)::BIGINT, SUM(clicks)::BIGINT FROM traffic_hourly
                    WHERE event_id = ANY(ARRAY(SELECT id FROM events WHERE user_id = \(userID)))
                    AND bucket_start >= \(hours.lowerBound) AND bucket_start < \(hours.upperBound) GROUP BY event_id
                    """)
                {
                    let (eventID, views, clicks) = try row.decode((Int64, Int64, Int64).self)
                    totals[eventID, default: TrafficTotals()].views += Int(views)
                    totals[eventID, default: TrafficTotals()].clicks += Int(clicks)
                }
            }
            return totals.filter { $0.value != TrafficTotals() }
        }
    }

    public func trafficTotalsFromRawRows(userID: Int64, window: TrafficWindow) throws -> [Int64: TrafficTotals] {
        try snapshot { connection in
            var totals: [Int64: TrafficTotals] = [:]
            for row in try connection.run(
                """
                SELECT event_id, COUNT(*) FROM widget_views WHERE event_id IN (SELECT id FROM events WHERE user_id = \(userID))
                AND viewed_at >= \(window.start) AND viewed_at < \(window.end) GROUP BY event_id
                """)
            {
                let (eventID, count) = try row.decode((Int64, Int64).self)
                totals[eventID, default: TrafficTotals()].views = Int(count)
            }
            for row in try connection.run(
                """
                SELECT event_id, COUNT(*) FROM widget_interactions WHERE event_id IN (SELECT id FROM events WHERE user_id = \(userID))
                AND clicked_at >= \(window.start) AND clicked_at < \(window.end) GROUP BY event_id
                """)
            {
                let (eventID, count) = try row.decode((Int64, Int64).self)
                totals[eventID, default: TrafficTotals()].clicks = Int(count)
            }
            return totals
        }
    }

    public func visitorSecrets(candidates: [Int64: [UInt8]], destroyBefore: Int64) throws -> [Int64: [UInt8]] {
        try write { connection in
            try connection.run("DELETE FROM visitor_secrets WHERE day_start < \(destroyBefore)")
            var secrets: [Int64: [UInt8]] = [:]
            // A day already over never gets a secret again: its visitors stay uncountable.
            for (day, candidate) in candidates.sorted(by: { $0.key < $1.key }) where day >= destroyBefore {
                try connection.run(
                    "INSERT INTO visitor_secrets (day_start, secret) VALUES (\(day), \(Data(candidate))) ON CONFLICT (day_start) DO NOTHING")
                if let row = try connection.run("SELECT secret FROM visitor_secrets WHERE day_start = \(day)").first {
                    secrets[day] = Array(try row.decode(Data.self))
                }
            }
            return secrets
        }
    }

    public func destroyVisitorSecrets(before: Int64) throws {
        try statement { connection in try connection.run("DELETE FROM visitor_secrets WHERE day_start < \(before)") }
    }

    public func rawViewCount(eventID: Int64?) throws -> Int {
        try read { connection in
            if let eventID {
                return Int(try connection.run("SELECT COUNT(*) FROM widget_views WHERE event_id = \(eventID)").single(Int64.self))
            }
            return Int(try connection.run("SELECT COUNT(*) FROM widget_views").single(Int64.self))
        }
    }
}
