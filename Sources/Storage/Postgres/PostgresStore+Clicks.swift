import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    /// One transaction per batch, however large: the raw rows go in as one multi-row `INSERT …
    /// SELECT FROM unnest(arrays)` (five binds, whatever the batch size), and the rollup is
    /// aggregated here first, so each (event, hour, type) row is upserted once per batch. The
    /// upserts run in key order, so two trackers committing overlapping batches queue on the same
    /// rows in the same order and cannot deadlock; each holds a row only until its commit.
    @discardableResult
    public func recordClicks(_ clicks: [Click]) throws -> Int {
        guard !clicks.isEmpty else { return 0 }
        return try write { connection in
            // Events deleted meanwhile are skipped; KEY SHARE keeps the rest from being deleted
            // under this batch (the delete waits for the commit, then takes these clicks along).
            let asked = Array(Set(clicks.map(\.eventID)))
            let live = Set(
                try connection.run("SELECT id FROM events WHERE id = ANY(\(asked)) ORDER BY id FOR KEY SHARE").map { try $0.decode(Int64.self) })
            let stored = clicks.filter { live.contains($0.eventID) }.sorted { ($0.eventID, $0.clickedAt) < ($1.eventID, $1.clickedAt) }
            guard !stored.isEmpty else { return 0 }
            let eventIDs = stored.map(\.eventID)
            let types = stored.map(\.type.rawValue)
            let times = stored.map(\.clickedAt)
            if stored.contains(where: { $0.ipAddress != nil || $0.userAgent != nil }) {
                // Only when an operator turned client logging on. Arrays cannot hold NULLs through
                // the driver, so an absent value travels as '' and is stored as NULL.
                let addresses = stored.map { $0.ipAddress ?? "" }
                let agents = stored.map { $0.userAgent ?? "" }
                try connection.run(
                    """
                    INSERT INTO widget_interactions (event_id, interaction_type, clicked_at, ip_address, user_agent)
                    SELECT e, t, c, NULLIF(a, ''), NULLIF(u, '')
                    FROM unnest(\(eventIDs)::BIGINT[], \(types)::TEXT[], \(times)::BIGINT[], \(addresses)::TEXT[], \(agents)::TEXT[]) AS x(e, t, c, a, u)
                    """)
            } else {
                try connection.run(
                    """
                    INSERT INTO widget_interactions (event_id, interaction_type, clicked_at)
                    SELECT * FROM unnest(\(eventIDs)::BIGINT[], \(types)::TEXT[], \(times)::BIGINT[])
                    """)
            }
            var rollup: [RollupKey: Int64] = [:]
            for click in stored {
                rollup[RollupKey(eventID: click.eventID, bucketStart: click.bucketStart, type: click.type.rawValue), default: 0] += 1
            }
            let keys = rollup.keys.sorted { ($0.eventID, $0.bucketStart, $0.type) < ($1.eventID, $1.bucketStart, $1.type) }
            let counts = keys.map { rollup[$0] ?? 0 }
            try connection.run(
                """
                INSERT INTO interaction_counts (event_id, bucket_start, interaction_type, count)
                SELECT * FROM unnest(\(keys.map(\.eventID))::BIGINT[], \(keys.map(\.bucketStart))::BIGINT[], \(keys.map(\.type))::TEXT[], \(counts)::BIGINT[])
                ON CONFLICT (event_id, bucket_start, interaction_type) DO UPDATE SET count = interaction_counts.count + excluded.count
                """)
            return stored.count
        }
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

private struct RollupKey: Hashable {
    var eventID: Int64
    var bucketStart: Int64
    var type: String
}
