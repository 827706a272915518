import Foundation
import Core
import GRDB

extension SQLiteStore {
    /// The event behind a public id with its organizer defaults, or nil: the tracker's miss path
    /// (one lookup on the unique `public_id` index).
    public func publishableEvent(publicID: PublicID) throws -> PublishableEvent? {
        try read { db in
            guard let record = try EventRecord.filter(sql: "public_id = ?", arguments: [publicID.rawValue]).fetchOne(db) else {
                return nil
            }
            return try Self.publishable(db, record.event())
        }
    }

    /// The newest change sequence number (0 when nothing ever changed).
    public func latestLinkChange() throws -> Int64 {
        try read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MAX(COALESCE((SELECT MAX(seq) FROM link_changes), 0), COALESCE((SELECT through_seq FROM link_changes_pruned), 0))") ?? 0
        }
    }

    public func linkChanges(after sequence: Int64, limit: Int) throws -> LinkChanges {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, public_id FROM link_changes WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, limit])
            // Pruning records how far it deleted; a reader behind that point missed changes.
            let pruned = try Int64.fetchOne(db, sql: "SELECT through_seq FROM link_changes_pruned") ?? 0
            return LinkChanges(
                ids: rows.compactMap { PublicID($0["public_id"] as String) },
                latest: rows.last.map { $0["seq"] as Int64 } ?? sequence,
                missedSome: pruned > sequence)
        }
    }

    /// Drops change rows older than `seconds` (every follower has long since applied them) and
    /// records how far it went, so a follower that was away longer knows to reload everything.
    public func pruneLinkChanges(olderThan seconds: Int64, now: Date) throws {
        try write { db in
            let cutoff = now.epochSeconds - seconds
            guard let through = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM link_changes WHERE changed_at < ?", arguments: [cutoff])
            else { return }
            try db.execute(sql: "DELETE FROM link_changes WHERE seq <= ?", arguments: [through])
            try db.execute(
                sql: """
                    INSERT INTO link_changes_pruned (id, through_seq) VALUES (1, ?)
                    ON CONFLICT (id) DO UPDATE SET through_seq = MAX(through_seq, excluded.through_seq)
                    """, arguments: [through])
        }
    }
}
