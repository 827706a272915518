import Core
import Foundation
import PostgresNIO

/// The mail and webhook outboxes, the twin of `SQLiteStore+Outbox`. Several API nodes may run
/// dispatchers: each claims rows with `FOR UPDATE SKIP LOCKED` and moves `next_attempt_at` to its
/// lease's end in the same statement, so no row goes to two of them.
extension PostgresStore {
    public func enqueueMail(_ mail: OutgoingMail, userID: Int64?, now: Date) throws {
        try statement { connection in
            try connection.run(
                """
                INSERT INTO mail_outbox (user_id, recipient, subject, text_body, html_body, created_at, next_attempt_at)
                VALUES (\(userID), \(mail.to), \(mail.subject), \(mail.text), \(mail.html), \(now.epochSeconds), \(now.epochSeconds))
                """)
        }
    }

    public func dueMail(now: Date, leaseUntil: Date, limit: Int) throws -> [QueuedMail] {
        try statement { connection in
            try connection.run(
                """
                UPDATE mail_outbox SET next_attempt_at = \(leaseUntil.epochSeconds) WHERE id IN (
                    SELECT id FROM mail_outbox WHERE next_attempt_at <= \(now.epochSeconds)
                    ORDER BY next_attempt_at, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
                RETURNING id, recipient, subject, text_body, html_body, attempts, created_at
                """
            ).map { row in
                let (id, to, subject, text, html, attempts, created) = try row.decode((Int64, String, String, String, String, Int32, Int64).self)
                return QueuedMail(
                    id: id, mail: OutgoingMail(to: to, subject: subject, text: text, html: html), attempts: Int(attempts),
                    createdAt: Date(epochSeconds: created))
            }.sorted { $0.id < $1.id }
        }
    }

    public func mailSent(id: Int64) throws {
        try statement { connection in try connection.run("DELETE FROM mail_outbox WHERE id = \(id)") }
    }

    public func mailFailed(id: Int64, retryAt: Date?) throws {
        try statement { connection in
            if let retryAt {
                try connection.run("UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = \(retryAt.epochSeconds) WHERE id = \(id)")
            } else {
                try connection.run("DELETE FROM mail_outbox WHERE id = \(id)")
            }
        }
    }

    public func pendingMailCount() throws -> Int {
        Int(try read { connection in try connection.run("SELECT COUNT(*) FROM mail_outbox").single(Int64.self) })
    }

    // MARK: Webhooks

    public func createWebhook(
        userID: Int64, url: String, events: [WebhookEventType], description: String?, secret: String, limit: Int, now: Date
    ) throws -> Webhook {
        try write { connection in
            try connection.run("SELECT 1 FROM users WHERE id = \(userID) FOR NO KEY UPDATE")
            let count = try connection.run("SELECT COUNT(*) FROM webhooks WHERE user_id = \(userID)").single(Int64.self)
            guard count < limit else { throw StorageError.limitReached }
            let words = StoredWords.join(events.map(\.rawValue))
            let id = try connection.run(
                """
                INSERT INTO webhooks (user_id, url, events, description, secret, created_at)
                VALUES (\(userID), \(url), \(words), \(description), \(secret), \(now.epochSeconds)) RETURNING id
                """
            ).single(Int64.self)
            return Webhook(
                id: id, userID: userID, url: url, events: WebhookRows.events(words), description: description,
                createdAt: Date(epochSeconds: now.epochSeconds), secret: secret)
        }
    }

    public func webhooks(userID: Int64) throws -> [Webhook] {
        try read { connection in
            try connection.run(
                """
                SELECT w.id, w.user_id, w.url, w.events, w.description, w.created_at, w.secret,
                d.state, d.attempts, d.response_status, COALESCE(d.finished_at, d.created_at)
                FROM webhooks w LEFT JOIN webhook_deliveries d ON d.id = (SELECT MAX(id) FROM webhook_deliveries WHERE webhook_id = w.id)
                WHERE w.user_id = \(userID) ORDER BY w.id
                """
            ).map { row in
                let (id, userID, url, events, description, created, secret) = try row.decode((Int64, Int64, String, String, String?, Int64, String).self)
                let columns = row.makeRandomAccess()
                let state = try columns[7].decode(String?.self)
                let attempts = try columns[8].decode(Int32?.self)
                let responseStatus = try columns[9].decode(Int32?.self)
                let at = try columns[10].decode(Int64?.self)
                return Webhook(
                    id: id, userID: userID, url: url, events: WebhookRows.events(events), description: description,
                    createdAt: Date(epochSeconds: created), secret: secret,
                    lastDelivery: WebhookRows.state(state: state, attempts: attempts.map(Int.init), responseStatus: responseStatus.map(Int.init), at: at))
            }
        }
    }

    public func deleteWebhook(id: Int64, userID: Int64) throws -> Bool {
        try statement { connection in
            try connection.run("DELETE FROM webhooks WHERE id = \(id) AND user_id = \(userID) RETURNING id").first != nil
        }
    }

    @discardableResult
    public func enqueueWebhookNotice(_ notice: WebhookNotice, userID: Int64, now: Date) throws -> Int {
        try write { connection in try Self.enqueue(connection, notice, userID: userID, now: now) }
    }

    static func enqueue(_ connection: PostgresConnection, _ notice: WebhookNotice, userID: Int64, now: Date) throws -> Int {
        let ids = try connection.run(
            "SELECT id FROM webhooks WHERE user_id = \(userID) AND position(\(" \(notice.type.rawValue) ") IN ' ' || events || ' ') > 0 ORDER BY id"
        ).map { try $0.decode(Int64.self) }
        for id in ids {
            try connection.run(
                """
                INSERT INTO webhook_deliveries (webhook_id, delivery_id, event_type, subject, data, created_at, next_attempt_at)
                VALUES (\(id), \(WebhookRows.newDeliveryID()), \(notice.type.rawValue), \(notice.subject), \(notice.data), \(now.epochSeconds), \(now.epochSeconds))
                """)
        }
        return ids.count
    }

    public func dueDeliveries(now: Date, leaseUntil: Date, limit: Int) throws -> [PendingDelivery] {
        try statement { connection in
            try connection.run(
                """
                WITH claimed AS (
                    UPDATE webhook_deliveries SET next_attempt_at = \(leaseUntil.epochSeconds) WHERE id IN (
                        SELECT d.id FROM webhook_deliveries d
                        WHERE d.state = 'pending' AND d.next_attempt_at <= \(now.epochSeconds)
                        AND NOT EXISTS (
                            SELECT 1 FROM webhook_deliveries e
                            WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject AND e.state = 'pending' AND e.id < d.id)
                        ORDER BY d.next_attempt_at, d.id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
                    RETURNING id, delivery_id, webhook_id, event_type, data, created_at, attempts)
                SELECT c.id, c.delivery_id, c.webhook_id, c.event_type, c.data, c.created_at, c.attempts, w.url, w.secret
                FROM claimed c JOIN webhooks w ON w.id = c.webhook_id ORDER BY c.id
                """
            ).compactMap { row in
                let (id, deliveryID, webhookID, type, data, created, attempts) = try row.decode((Int64, String, Int64, String, String, Int64, Int32).self)
                let columns = row.makeRandomAccess()
                guard let type = WebhookEventType(rawValue: type) else { return nil }
                return PendingDelivery(
                    id: id, deliveryID: deliveryID, webhookID: webhookID, url: try columns[7].decode(String.self), secret: try columns[8].decode(String.self),
                    type: type, data: data, createdAt: Date(epochSeconds: created), attempts: Int(attempts))
            }
        }
    }

    public func recordDeliveryAttempt(id: Int64, delivered: Bool, responseStatus: Int?, retryAt: Date?, now: Date) throws {
        let status = responseStatus.map { Int32(clamping: $0) }
        try write { connection in
            if delivered || retryAt == nil {
                let state = delivered ? "delivered" : "failed"
                try connection.run(
                    """
                    UPDATE webhook_deliveries SET state = \(state), attempts = attempts + 1, response_status = \(status),
                    finished_at = \(now.epochSeconds), data = '' WHERE id = \(id)
                    """)
                try connection.run(
                    """
                    DELETE FROM webhook_deliveries WHERE state <> 'pending' AND id < \(id)
                    AND webhook_id = (SELECT webhook_id FROM webhook_deliveries WHERE id = \(id))
                    """)
            } else if let retryAt {
                try connection.run(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, response_status = \(status), next_attempt_at = \(retryAt.epochSeconds) WHERE id = \(id)"
                )
            }
        }
    }

    /// Milestones a click batch reached, in the batch's transaction (see `recordClicks`).
    static func queueMilestones(_ connection: PostgresConnection, storedPerEvent: [Int64: Int], now: Date) throws {
        let rows = try connection.run(
            """
            SELECT e.id, e.public_id, e.title, e.user_id, (SELECT COALESCE(SUM(clicks), 0)::BIGINT FROM traffic_daily t WHERE t.event_id = e.id)
            FROM events e WHERE e.id = ANY(\(Array(storedPerEvent.keys))::BIGINT[])
            AND EXISTS (SELECT 1 FROM webhooks w WHERE w.user_id = e.user_id AND position(' clicks.milestone ' IN ' ' || w.events || ' ') > 0)
            """
        ).map { try $0.decode((Int64, String, String, Int64, Int64).self) }
        for (eventID, publicID, title, userID, total) in rows {
            for milestone in ClickMilestones.crossed(from: Int(total) - (storedPerEvent[eventID] ?? 0), to: Int(total)) {
                let notice = WebhookNotice(
                    type: .clicksMilestone, subject: publicID,
                    data: ClickMilestones.data(eventID: eventID, publicID: publicID, title: title, milestone: milestone))
                _ = try enqueue(connection, notice, userID: userID, now: now)
            }
        }
    }

    /// Whether any event of a batch has an organizer listening for milestones: the one extra
    /// query the click path pays, so batches nobody listens to keep their single statement.
    func milestonesWatched(eventIDs: [Int64]) throws -> Bool {
        try read { connection in
            try connection.run(
                """
                SELECT EXISTS (SELECT 1 FROM events e JOIN webhooks w ON w.user_id = e.user_id
                WHERE e.id = ANY(\(eventIDs)::BIGINT[]) AND position(' clicks.milestone ' IN ' ' || w.events || ' ') > 0)
                """
            ).single(Bool.self)
        }
    }

    // MARK: Export

    public func exportEvents(userID: Int64, afterID: Int64, limit: Int) throws -> [Event] {
        try read { connection in
            try Self.events(connection, where: "WHERE user_id = \(userID) AND id > \(afterID) ORDER BY id LIMIT \(Int64(limit))")
        }
    }

    public func exportClicks(userID: Int64, afterID: Int64, limit: Int) throws -> [ExportedClick] {
        try read { connection in
            try connection.run(
                """
                SELECT c.id, c.event_id, e.public_id, c.interaction_type, c.clicked_at, p.name
                FROM widget_interactions c JOIN events e ON e.id = c.event_id LEFT JOIN placements p ON p.id = c.placement_id
                WHERE e.user_id = \(userID) AND c.id > \(afterID) ORDER BY c.id LIMIT \(Int64(limit))
                """
            ).map { row in
                let (id, eventID, publicID, type, clickedAt, placement) = try row.decode((Int64, Int64, String, String, Int64, String?).self)
                return ExportedClick(
                    id: id, eventID: eventID, eventPublicID: publicID, provider: type, placement: placement, clickedAt: Date(epochSeconds: clickedAt))
            }
        }
    }

    public func exportTraffic(userID: Int64) throws -> [DailyTraffic] {
        try read { connection in
            try connection.run(
                """
                SELECT t.event_id, t.day_start, t.views, t.clicks, t.unique_visitors FROM traffic_daily t JOIN events e ON e.id = t.event_id
                WHERE e.user_id = \(userID) ORDER BY t.event_id, t.day_start
                """
            ).map { row in
                let (eventID, day, views, clicks, unique) = try row.decode((Int64, Int64, Int64, Int64, Int64).self)
                return DailyTraffic(eventID: eventID, dayStart: day, views: Int(views), clicks: Int(clicks), uniqueVisitors: Int(unique))
            }
        }
    }
}
