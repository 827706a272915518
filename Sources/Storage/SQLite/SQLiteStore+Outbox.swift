import Core
import Foundation
import GRDB

/// The mail and webhook outboxes: rows stay until delivered, and a dispatcher leases what it
/// works on by moving `next_attempt_at` to its lease's end (a crashed dispatcher's lease runs out
/// and the row is due again).
extension SQLiteStore {
    public func enqueueMail(_ mail: OutgoingMail, userID: Int64?, now: Date) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO mail_outbox (user_id, recipient, subject, text_body, html_body, created_at, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [userID, mail.to, mail.subject, mail.text, mail.html, now.epochSeconds, now.epochSeconds])
        }
    }

    public func dueMail(now: Date, leaseUntil: Date, limit: Int) throws -> [QueuedMail] {
        try write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM mail_outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                arguments: [now.epochSeconds, limit])
            for row in rows {
                try db.execute(sql: "UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ?", arguments: [leaseUntil.epochSeconds, row["id"] as Int64])
            }
            return rows.map { row in
                QueuedMail(
                    id: row["id"], mail: OutgoingMail(to: row["recipient"], subject: row["subject"], text: row["text_body"], html: row["html_body"]),
                    attempts: row["attempts"], createdAt: Date(epochSeconds: row["created_at"]))
            }
        }
    }

    public func mailSent(id: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM mail_outbox WHERE id = ?", arguments: [id]) }
    }

    public func mailFailed(id: Int64, retryAt: Date?) throws {
        try write { db in
            if let retryAt {
                try db.execute(
                    sql: "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?", arguments: [retryAt.epochSeconds, id])
            } else {
                try db.execute(sql: "DELETE FROM mail_outbox WHERE id = ?", arguments: [id])
            }
        }
    }

    public func pendingMailCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mail_outbox") ?? 0 }
    }

    // MARK: Webhooks

    public func createWebhook(
        userID: Int64, url: String, events: [WebhookEventType], description: String?, secret: String, limit: Int, now: Date
    ) throws -> Webhook {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhooks WHERE user_id = ?", arguments: [userID]) ?? 0
            guard count < limit else { throw StorageError.limitReached }
            try db.execute(
                sql: "INSERT INTO webhooks (user_id, url, events, description, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [userID, url, StoredWords.join(events.map(\.rawValue)), description, secret, now.epochSeconds])
            return Webhook(
                id: db.lastInsertedRowID, userID: userID, url: url, events: WebhookRows.events(StoredWords.join(events.map(\.rawValue))),
                description: description, createdAt: Date(epochSeconds: now.epochSeconds), secret: secret)
        }
    }

    public func webhooks(userID: Int64) throws -> [Webhook] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT w.*, d.state AS last_state, d.attempts AS last_attempts, d.response_status AS last_response_status,
                    COALESCE(d.finished_at, d.created_at) AS last_at, d.next_attempt_at AS last_next_attempt_at
                    FROM webhooks w LEFT JOIN webhook_deliveries d
                    ON d.id = (SELECT MAX(id) FROM webhook_deliveries WHERE webhook_id = w.id)
                    WHERE w.user_id = ? ORDER BY w.id
                    """, arguments: [userID]
            ).map { row in
                Webhook(
                    id: row["id"], userID: row["user_id"], url: row["url"], events: WebhookRows.events(row["events"]), description: row["description"],
                    createdAt: Date(epochSeconds: row["created_at"]), secret: row["secret"],
                    lastDelivery: WebhookRows.state(
                        state: row["last_state"], attempts: row["last_attempts"], responseStatus: row["last_response_status"], at: row["last_at"]))
            }
        }
    }

    public func deleteWebhook(id: Int64, userID: Int64) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ? AND user_id = ?", arguments: [id, userID])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func enqueueWebhookNotice(_ notice: WebhookNotice, userID: Int64, now: Date) throws -> Int {
        try write { db in try Self.enqueue(db, notice, userID: userID, now: now) }
    }

    /// Inside another write (the click batch's milestones).
    static func enqueue(_ db: Database, _ notice: WebhookNotice, userID: Int64, now: Date) throws -> Int {
        let ids = try Int64.fetchAll(
            db, sql: "SELECT id FROM webhooks WHERE user_id = ? AND instr(' ' || events || ' ', ?) > 0 ORDER BY id",
            arguments: [userID, " \(notice.type.rawValue) "])
        for id in ids {
            try db.execute(
                sql: """
                    INSERT INTO webhook_deliveries (webhook_id, delivery_id, event_type, subject, data, created_at, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, WebhookRows.newDeliveryID(), notice.type.rawValue, notice.subject, notice.data, now.epochSeconds, now.epochSeconds])
        }
        return ids.count
    }

    public func dueDeliveries(now: Date, leaseUntil: Date, limit: Int) throws -> [PendingDelivery] {
        try write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ?
                    AND NOT EXISTS (
                        SELECT 1 FROM webhook_deliveries e
                        WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject AND e.state = 'pending' AND e.id < d.id)
                    ORDER BY d.next_attempt_at, d.id LIMIT ?
                    """, arguments: [now.epochSeconds, limit])
            var result: [PendingDelivery] = []
            for row in rows {
                try db.execute(
                    sql: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?", arguments: [leaseUntil.epochSeconds, row["id"] as Int64])
                guard let type = WebhookEventType(rawValue: row["event_type"]) else { continue }
                result.append(
                    PendingDelivery(
                        id: row["id"], deliveryID: row["delivery_id"], webhookID: row["webhook_id"], url: row["url"], secret: row["secret"], type: type,
                        data: row["data"], createdAt: Date(epochSeconds: row["created_at"]), attempts: row["attempts"]))
            }
            return result
        }
    }

    public func recordDeliveryAttempt(id: Int64, delivered: Bool, responseStatus: Int?, retryAt: Date?, now: Date) throws {
        try write { db in
            if delivered || retryAt == nil {
                // Done for good: only the state is kept (the organizer's "last delivery"), not the data.
                try db.execute(
                    sql: """
                        UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, response_status = ?, finished_at = ?, data = ''
                        WHERE id = ?
                        """, arguments: [delivered ? "delivered" : "failed", responseStatus, now.epochSeconds, id])
                try db.execute(
                    sql: """
                        DELETE FROM webhook_deliveries WHERE state != 'pending' AND id < ?
                        AND webhook_id = (SELECT webhook_id FROM webhook_deliveries WHERE id = ?)
                        """, arguments: [id, id])
            } else if let retryAt {
                try db.execute(
                    sql: "UPDATE webhook_deliveries SET attempts = attempts + 1, response_status = ?, next_attempt_at = ? WHERE id = ?",
                    arguments: [responseStatus, retryAt.epochSeconds, id])
            }
        }
    }

    /// The milestones a click batch reached, queued in its transaction: for each event of the
    /// batch whose organizer listens for them, compare its total before and after the batch.
    static func queueMilestones(_ db: Database, storedPerEvent: [Int64: Int], now: Date) throws {
        guard !storedPerEvent.isEmpty else { return }
        let ids = Array(storedPerEvent.keys)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT e.id, e.public_id, e.title, e.user_id FROM events e
                WHERE e.id IN (\(databaseQuestionMarks(count: ids.count)))
                AND EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = e.user_id AND instr(' ' || w.events || ' ', ' clicks.milestone ') > 0)
                """, arguments: StatementArguments(ids))
        for row in rows {
            let eventID: Int64 = row["id"]
            let total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(clicks), 0) FROM traffic_daily WHERE event_id = ?", arguments: [eventID]) ?? 0
            for milestone in ClickMilestones.crossed(from: total - (storedPerEvent[eventID] ?? 0), to: total) {
                let notice = WebhookNotice(
                    type: .clicksMilestone, subject: row["public_id"],
                    data: ClickMilestones.data(eventID: eventID, publicID: row["public_id"], title: row["title"], milestone: milestone))
                _ = try enqueue(db, notice, userID: row["user_id"], now: now)
            }
        }
    }
}

/// Row helpers both engines share.
enum WebhookRows {
    static func events(_ text: String) -> [WebhookEventType] {
        let stored = Set(StoredWords.split(text))
        return WebhookEventType.allCases.filter { stored.contains($0.rawValue) }
    }

    static func state(state: String?, attempts: Int?, responseStatus: Int?, at: Int64?) -> WebhookDeliveryState? {
        guard let state, let attempts, let at else { return nil }
        let status: WebhookDeliveryState.Status =
            switch state {
            case "delivered": .delivered
            case "failed": .failed
            default: attempts > 0 ? .retrying : .pending
            }
        return WebhookDeliveryState(status: status, attempts: attempts, responseStatus: responseStatus, at: Date(epochSeconds: at))
    }

    /// 128 random bits as 32 hex digits: what receivers deduplicate on.
    static func newDeliveryID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
