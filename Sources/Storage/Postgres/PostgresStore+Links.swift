import Core
import Foundation
import PostgresNIO

extension PostgresStore {
    public func latestLinkChange() throws -> Int64 {
        try read { connection in
            try connection.run(
                """
                SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM link_changes), 0), COALESCE((SELECT through_seq FROM link_changes_pruned), 0))
                """
            ).single(Int64.self)
        }
    }

    public func linkChanges(after sequence: Int64, limit: Int) throws -> LinkChanges {
        try snapshot { connection in
            let rows = try connection.run("SELECT seq, public_id FROM link_changes WHERE seq > \(sequence) ORDER BY seq LIMIT \(Int64(limit))")
                .map { try $0.decode((Int64, String).self) }
            let pruned = try connection.run("SELECT through_seq FROM link_changes_pruned").first?.decode(Int64.self) ?? 0
            return LinkChanges(ids: rows.compactMap { PublicID($0.1) }, latest: rows.last?.0 ?? sequence, missedSome: pruned > sequence)
        }
    }

    public func pruneLinkChanges(olderThan seconds: Int64, now: Date) throws {
        try write { connection in
            let cutoff = now.epochSeconds - seconds
            guard let through = try connection.run("SELECT MAX(seq) FROM link_changes WHERE changed_at < \(cutoff)").first?.decode(Int64?.self)
            else { return }
            try connection.run("DELETE FROM link_changes WHERE seq <= \(through)")
            try connection.run(
                """
                INSERT INTO link_changes_pruned (id, through_seq) VALUES (1, \(through))
                ON CONFLICT (id) DO UPDATE SET through_seq = GREATEST(link_changes_pruned.through_seq, excluded.through_seq)
                """)
        }
    }
}
