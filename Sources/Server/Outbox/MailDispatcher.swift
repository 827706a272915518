import Core
import Foundation
import Logging
import Outbound

/// Sends what the mail outbox holds. A mail leaves the outbox only when a transport accepted it;
/// a failed attempt is retried with back-off, so a mail server that is down for a while delays
/// mail but loses none. Logs say what happened to which queued mail (its id), never to whom or
/// what it said.
struct MailDispatcher: Sendable {
    let database: any DataStore
    let transport: any MailTransport
    let from: String
    let config: OutboxConfig
    let logger: Logger
    let now: @Sendable () -> Date

    /// Sends everything due now; returns how many were accepted.
    @discardableResult
    func sendDue() async throws -> Int {
        let start = now()
        let batch = try database.dueMail(now: start, leaseUntil: start.addingTimeInterval(300), limit: 20)
        var sent = 0
        for queued in batch {
            let message = MailMessage(from: from, to: queued.mail.to, subject: queued.mail.subject, text: queued.mail.text, html: queued.mail.html)
            do {
                try await transport.send(message)
                try database.mailSent(id: queued.id)
                sent += 1
            } catch {
                try handleFailure(queued, error)
            }
        }
        return sent
    }

    private func handleFailure(_ queued: QueuedMail, _ error: any Error) throws {
        let attempts = queued.attempts + 1
        let permanent = if case .permanent = error as? MailDeliveryError { true } else { false }
        let tooOld = now().timeIntervalSince(queued.createdAt) >= config.mailGiveUpAfter
        if tooOld || (permanent && attempts >= config.mailPermanentFailureAttempts) {
            logger.error("gave up on a mail", metadata: ["mail_id": "\(queued.id)", "attempts": "\(attempts)", "error": "\(error)"])
            try database.mailFailed(id: queued.id, retryAt: nil)
            return
        }
        let delay = OutboxConfig.backoff(attempts: queued.attempts, base: config.mailRetryBase, cap: config.mailRetryCap)
        logger.warning(
            "a mail could not be sent; retrying", metadata: ["mail_id": "\(queued.id)", "attempt": "\(attempts)", "retry_in_s": "\(Int(delay))", "error": "\(error)"])
        try database.mailFailed(id: queued.id, retryAt: now().addingTimeInterval(delay))
    }
}
