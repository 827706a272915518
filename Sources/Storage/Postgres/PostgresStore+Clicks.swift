import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    /// One statement per batch, however large, and so one round trip: a tracker on a busy box
    /// waits for the database's turn on the CPU at every round trip, and five of them (BEGIN,
    /// lock, insert, upsert, COMMIT) made a batch take ten times its work. The statement is its
    /// own transaction: it locks the batch's events (`FOR KEY SHARE`: a concurrent delete waits,
    /// then its trigger takes these clicks along; events deleted before are skipped), inserts the
    /// raw rows from arrays (a handful of binds whatever the batch size), and upserts the hourly
    /// rollup aggregated per batch, in key order, so trackers on several nodes queue on the same
    /// rows in the same order and hold each only until the statement commits.
    @discardableResult
    public func recordClicks(_ clicks: [Click]) throws -> Int {
        guard !clicks.isEmpty else { return 0 }
        // (event, time) order walks the (event_id, clicked_at) index sequentially.
        let sorted = try resolvePlacements(clicks).sorted { ($0.eventID, $0.clickedAt) < ($1.eventID, $1.clickedAt) }
        let eventIDs = sorted.map(\.eventID)
        let types = sorted.map(\.type.rawValue)
        let times = sorted.map(\.clickedAt)
        // Arrays cannot hold NULLs through the driver: no placement travels as 0, the rollups'
        // own "the event's widget", and is stored raw as NULL.
        let placements = sorted.map { $0.placementID ?? 0 }
        let query: PostgresQuery
        if sorted.contains(where: { $0.ipAddress != nil || $0.userAgent != nil }) {
            // Only when an operator turned client logging on. Arrays cannot hold NULLs through
            // the driver, so an absent value travels as '' and is stored as NULL.
            let addresses = sorted.map { $0.ipAddress ?? "" }
            let agents = sorted.map { $0.userAgent ?? "" }
            query = """
                WITH live AS (SELECT id FROM events WHERE id = ANY(\(Array(Set(eventIDs)))::BIGINT[]) ORDER BY id FOR KEY SHARE),
                batch AS (
                    SELECT e, t, c, p, NULLIF(a, '') AS a, NULLIF(u, '') AS u
                    FROM unnest(\(eventIDs)::BIGINT[], \(types)::TEXT[], \(times)::BIGINT[], \(placements)::BIGINT[], \(addresses)::TEXT[], \(agents)::TEXT[]) AS x(e, t, c, p, a, u)
                    WHERE e IN (SELECT id FROM live)),
                raw AS (INSERT INTO widget_interactions (event_id, interaction_type, clicked_at, placement_id, ip_address, user_agent)
                    SELECT e, t, c, NULLIF(p, 0), a, u FROM batch RETURNING 1),
                rollup AS (INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
                    SELECT e, c - ((c % 3600) + 3600) % 3600, t, COUNT(*) FROM batch GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (event_id, bucket_start, interaction_type) DO UPDATE SET count = interaction_counts.count + excluded.count),
                \(unescaped: Self.trafficRollupCTEs(column: "clicks", time: "c"))
                SELECT COUNT(*) FROM raw
                """
        } else {
            query = """
                WITH live AS (SELECT id FROM events WHERE id = ANY(\(Array(Set(eventIDs)))::BIGINT[]) ORDER BY id FOR KEY SHARE),
                batch AS (
                    SELECT e, t, c, p FROM unnest(\(eventIDs)::BIGINT[], \(types)::TEXT[], \(times)::BIGINT[], \(placements)::BIGINT[]) AS x(e, t, c, p)
                    WHERE e IN (SELECT id FROM live)),
                raw AS (INSERT INTO widget_interactions (event_id, interaction_type, clicked_at, placement_id)
                    SELECT e, t, c, NULLIF(p, 0) FROM batch RETURNING 1),
                rollup AS (INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
                    SELECT e, c - ((c % 3600) + 3600) % 3600, t, COUNT(*) FROM batch GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (event_id, bucket_start, interaction_type) DO UPDATE SET count = interaction_counts.count + excluded.count),
                \(unescaped: Self.trafficRollupCTEs(column: "clicks", time: "c"))
                SELECT COUNT(*) FROM raw
                """
        }
        if try milestonesWatched(eventIDs: Array(Set(eventIDs))) {
            // Someone listens for milestones: the batch and the deliveries it triggers commit together.
            return try write { connection in
                let stored = Int(try connection.run(query).single(Int64.self))
                var perEvent: [Int64: Int] = [:]
                for id in eventIDs { perEvent[id, default: 0] += 1 }
                try Self.queueMilestones(connection, storedPerEvent: perEvent, now: Date())
                return stored
            }
        }
        return Int(try statement { connection in try connection.run(query).single(Int64.self) })
    }

    /// A batch's placement keys as ids: one indexed query, only for batches that carry keys.
    func resolvePlacements<Item: PlacementAttributed>(_ items: [Item]) throws -> [Item] {
        let keys = PlacementResolution.keys(items)
        guard !keys.isEmpty else { return items }
        var found: [String: PlacementResolution.Found] = [:]
        try read { connection in
            for row in try connection.run("SELECT id, event_id, public_key FROM placements WHERE public_key = ANY(\(keys)::TEXT[])") {
                let (id, eventID, key) = try row.decode((Int64, Int64, String).self)
                found[key] = PlacementResolution.Found(id: id, eventID: eventID)
            }
        }
        return PlacementResolution.apply(found, to: items)
    }

    /// The two traffic rollup upserts of a batch CTE (`batch` with event `e`, placement `p` and
    /// the time in `time`), in key order like the click rollup.
    static func trafficRollupCTEs(column: String, time: String) -> String {
        """
                hourly AS (INSERT INTO traffic_hourly (event_id, bucket_start, placement_id, \(column))
                    SELECT e, \(time) - ((\(time) % 3600) + 3600) % 3600, p, COUNT(*) FROM batch GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                    ON CONFLICT (event_id, bucket_start, placement_id) DO UPDATE SET \(column) = traffic_hourly.\(column) + excluded.\(column)),
                daily AS (INSERT INTO traffic_daily (event_id, day_start, \(column))
                    SELECT e, \(time) - ((\(time) % 86400) + 86400) % 86400, COUNT(*) FROM batch GROUP BY 1, 2 ORDER BY 1, 2
                    ON CONFLICT (event_id, day_start) DO UPDATE SET \(column) = traffic_daily.\(column) + excluded.\(column))
            """
    }

    public func clickBuckets(eventID: Int64, from: Int64, to: Int64) throws -> [ClickBucket] {
        try read { connection in
            try connection.run(
                """
                SELECT bucket_start, interaction_type, count FROM interaction_counts
                WHERE event_id = \(eventID) AND bucket_start >= \(from) AND bucket_start < \(to) ORDER BY bucket_start
                """
            ).map { row in
                let (start, type, count) = try row.decode((Int64, String, Int64).self)
                return ClickBucket(bucketStart: start, type: type, count: Int(count))
            }
        }
    }

    public func rawClickCount(eventID: Int64?) throws -> Int {
        try read { connection in
            if let eventID {
                return Int(try connection.run("SELECT COUNT(*) FROM widget_interactions WHERE event_id = \(eventID)").single(Int64.self))
            }
            return Int(try connection.run("SELECT COUNT(*) FROM widget_interactions").single(Int64.self))
        }
    }

    public func rollupClickCount(eventID: Int64?) throws -> Int {
        try read { connection in
            if let eventID {
                return Int(
                    try connection.run("SELECT COALESCE(SUM(count), 0)::BIGINT FROM interaction_counts WHERE event_id = \(eventID)").single(Int64.self))
            }
            return Int(try connection.run("SELECT COALESCE(SUM(count), 0)::BIGINT FROM interaction_counts").single(Int64.self))
        }
    }

    public func storedClientInfoCount() throws -> Int {
        try read { connection in
            Int(
                try connection.run("SELECT COUNT(*) FROM widget_interactions WHERE ip_address IS NOT NULL OR user_agent IS NOT NULL")
                    .single(Int64.self))
        }
    }
}
