import Foundation

/// What an organizer's webhook can be told about.
public enum WebhookEventType: String, CaseIterable, Sendable, Codable {
    case eventCreated = "event.created"
    case eventUpdated = "event.updated"
    case eventCancelled = "event.cancelled"
    case eventDeleted = "event.deleted"
    case clicksMilestone = "clicks.milestone"
}

/// A registered receiver. `secret` signs deliveries; it is stored as given because signing needs
/// it, and shown to the organizer only once.
public struct Webhook: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var url: String
    public var events: [WebhookEventType]
    public var description: String?
    public var createdAt: Date
    public var secret: String
    public var lastDelivery: WebhookDeliveryState?

    public init(
        id: Int64, userID: Int64, url: String, events: [WebhookEventType], description: String?, createdAt: Date, secret: String,
        lastDelivery: WebhookDeliveryState? = nil
    ) {
        self.id = id
        self.userID = userID
        self.url = url
        self.events = events
        self.description = description
        self.createdAt = createdAt
        self.secret = secret
        self.lastDelivery = lastDelivery
    }
}

/// The newest delivery of a webhook, as the organizer sees it.
public struct WebhookDeliveryState: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, delivered, retrying, failed }
    public var status: Status
    public var attempts: Int
    public var responseStatus: Int?
    public var at: Date

    public init(status: Status, attempts: Int, responseStatus: Int?, at: Date) {
        self.status = status
        self.attempts = attempts
        self.responseStatus = responseStatus
        self.at = at
    }
}

/// Something to tell an organizer's webhooks: one outbox row per subscribed webhook.
/// `subject` orders deliveries: those with the same subject (an event's public id) reach a
/// webhook in the order they were queued.
public struct WebhookNotice: Sendable, Equatable {
    public var type: WebhookEventType
    public var subject: String
    /// The `data` object of the delivery, as JSON.
    public var data: String

    public init(type: WebhookEventType, subject: String, data: String) {
        self.type = type
        self.subject = subject
        self.data = data
    }
}

/// A delivery the outbox handed to a dispatcher, leased to it.
public struct PendingDelivery: Sendable, Equatable {
    public var id: Int64
    /// The id receivers see (32 hex digits), stable across retries so they can deduplicate.
    public var deliveryID: String
    public var webhookID: Int64
    public var url: String
    public var secret: String
    public var type: WebhookEventType
    public var data: String
    public var createdAt: Date
    /// Attempts made before this one.
    public var attempts: Int

    public init(
        id: Int64, deliveryID: String, webhookID: Int64, url: String, secret: String, type: WebhookEventType, data: String, createdAt: Date,
        attempts: Int
    ) {
        self.id = id
        self.deliveryID = deliveryID
        self.webhookID = webhookID
        self.url = url
        self.secret = secret
        self.type = type
        self.data = data
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// The click counts worth telling an organizer about.
public enum ClickMilestones {
    public static let all: [Int] = [10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// Milestones reached when an event's clicks went from `before` to `after`.
    public static func crossed(from before: Int, to after: Int) -> [Int] {
        all.filter { before < $0 && $0 <= after }
    }

    /// The `data` of a `clicks.milestone` delivery.
    public static func data(eventID: Int64, publicID: String, title: String, milestone: Int) -> String {
        struct EventRef: Encodable {
            var id: Int64
            var public_id: String
            var title: String
        }
        struct Body: Encodable {
            var event: EventRef
            var milestone: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Body(event: EventRef(id: eventID, public_id: publicID, title: title), milestone: milestone)
        return (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
