import Core
import Foundation
import Logging

/// Tells the organizer's webhooks that an event changed: one outbox row per subscribed webhook,
/// inserted after the change is published. Delivery happens elsewhere (`WebhookDispatcher`), so
/// a slow or dead receiver never holds up an API answer.
struct WebhookNotifier: Sendable {
    let database: any DataStore
    let publicBase: String
    let signals: OutboxSignals
    let now: @Sendable () -> Date

    /// What an update means to a receiver: cancelling is its own event type.
    static func type(updating previous: Event?, to updated: Event) -> WebhookEventType {
        updated.status == .cancelled && previous?.status != .cancelled ? .eventCancelled : .eventUpdated
    }

    func notify(_ type: WebhookEventType, _ event: Event, logger: Logger) {
        struct Data: Encodable {
            var event: EventResponse
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = String(decoding: try encoder.encode(Data(event: EventResponse(event, publicBase: publicBase, now: now()))), as: UTF8.self)
            let queued = try database.enqueueWebhookNotice(
                WebhookNotice(type: type, subject: event.publicID.rawValue, data: data), userID: event.userID, now: now())
            if queued > 0 { signals.webhooks.fire() }
        } catch {
            // The change itself succeeded and is published; only the notification is lost.
            logger.error("could not queue webhook deliveries", metadata: ["type": "\(type.rawValue)", "error": "\(error)"])
        }
    }
}
