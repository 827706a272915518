import Core
import Foundation
import Logging
import Outbound

/// Delivers what the webhook outbox holds: signed POSTs, several at once, each event's in order
/// (the outbox hands out only the oldest pending delivery per webhook and event), retried with
/// back-off after an error status, a timeout or a refused connection.
struct WebhookDispatcher: Sendable {
    let database: any DataStore
    let client: WebhookClient
    let config: OutboxConfig
    let logger: Logger
    let now: @Sendable () -> Date

    /// Attempts everything due now, up to `webhookConcurrency` at once; returns how many were delivered.
    @discardableResult
    func deliverDue() async throws -> Int {
        let start = now()
        // The lease outlasts an attempt, so no other dispatcher takes a delivery still in flight.
        let lease = start.addingTimeInterval(config.webhookTimeout + 60)
        let batch = try database.dueDeliveries(now: start, leaseUntil: lease, limit: config.webhookConcurrency * 4)
        guard !batch.isEmpty else { return 0 }
        var delivered = 0
        var index = 0
        while index < batch.count {
            let slice = batch[index..<min(index + config.webhookConcurrency, batch.count)]
            index += slice.count
            let outcomes = await withTaskGroup(of: (PendingDelivery, WebhookOutcome).self) { group in
                for delivery in slice {
                    group.addTask { (delivery, await client.post(post(delivery))) }
                }
                var results: [(PendingDelivery, WebhookOutcome)] = []
                for await result in group { results.append(result) }
                return results
            }
            for (delivery, outcome) in outcomes where try record(delivery, outcome) { delivered += 1 }
        }
        return delivered
    }

    /// The request a receiver gets: the envelope, and its signature over the exact bytes.
    func post(_ delivery: PendingDelivery) -> WebhookPost {
        let body = Array(Self.envelope(delivery).utf8)
        let timestamp = Int64(now().timeIntervalSince1970)
        return WebhookPost(
            url: delivery.url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "Attendify-Webhooks/1"), ("Attendify-Event", delivery.type.rawValue),
                ("Attendify-Delivery", delivery.deliveryID),
                ("Attendify-Signature", WebhookSignature.header(secret: delivery.secret, timestamp: timestamp, body: body)),
            ],
            body: body)
    }

    /// `{"created_at":…,"data":…,"id":…,"type":…}`: every value but `data` is ours (hex, a fixed
    /// type name, a timestamp), so no escaping is needed; `data` is stored JSON.
    static func envelope(_ delivery: PendingDelivery) -> String {
        #"{"created_at":"\#(UTCTimestamp.extended(delivery.createdAt))","data":\#(delivery.data),"id":"\#(delivery.deliveryID)","type":"\#(delivery.type.rawValue)"}"#
    }

    /// Stores the attempt's outcome; true when delivered.
    private func record(_ delivery: PendingDelivery, _ outcome: WebhookOutcome) throws -> Bool {
        let attempts = delivery.attempts + 1
        let status: Int?
        let problem: String
        switch outcome {
        case .delivered(let code):
            try database.recordDeliveryAttempt(id: delivery.id, delivered: true, responseStatus: code, retryAt: nil, now: now())
            return true
        case .rejected(let code):
            status = code
            problem = "HTTP \(code)"
        case .failed(let reason):
            status = nil
            problem = reason
        }
        let metadata: Logger.Metadata = [
            "webhook_id": "\(delivery.webhookID)", "delivery": "\(delivery.deliveryID)", "attempt": "\(attempts)", "problem": "\(problem)",
        ]
        if attempts >= config.webhookMaximumAttempts {
            logger.warning("gave up on a webhook delivery", metadata: metadata)
            try database.recordDeliveryAttempt(id: delivery.id, delivered: false, responseStatus: status, retryAt: nil, now: now())
        } else {
            let delay = OutboxConfig.backoff(attempts: delivery.attempts, base: config.webhookRetryBase, cap: config.webhookRetryCap)
            logger.info("a webhook delivery failed; retrying", metadata: metadata.merging(["retry_in_s": "\(Int(delay))"]) { $1 })
            try database.recordDeliveryAttempt(
                id: delivery.id, delivered: false, responseStatus: status, retryAt: now().addingTimeInterval(delay), now: now())
        }
        return false
    }
}
