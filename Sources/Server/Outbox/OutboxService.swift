import Core
import Foundation
import Logging
import Outbound
import ServiceLifecycle

/// Runs both dispatchers next to an API server until graceful shutdown. Each polls its outbox
/// (one indexed query per interval); storage failures are logged once and retried.
struct OutboxService: Service {
    let mail: MailDispatcher
    let webhooks: WebhookDispatcher
    let interval: Duration
    let signals: OutboxSignals
    let logger: Logger

    init(
        database: any DataStore, config: OutboxConfig, signals: OutboxSignals, publicURL: URL, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) throws {
        let transport: any MailTransport =
            switch config.mail {
            case .folder(let path): try MailDirTransport(directory: path)
            case .smtp(let settings): SMTPTransport(settings: settings)
            }
        mail = MailDispatcher(
            database: database, transport: transport, from: config.mailFrom ?? OutboxConfig.defaultFrom(publicURL: publicURL), config: config,
            logger: logger, now: now)
        let client = WebhookClient(
            policy: WebhookTargetPolicy(allowPrivate: config.webhooksAllowPrivate), timeout: .milliseconds(Int64(config.webhookTimeout * 1_000)))
        webhooks = WebhookDispatcher(database: database, client: client, config: config, logger: logger, now: now)
        interval = config.pollInterval
        self.signals = signals
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await loop("mail", wakeUp: signals.mail) { _ = try await mail.sendDue() } }
                group.addTask { await loop("webhooks", wakeUp: signals.webhooks) { _ = try await webhooks.deliverDue() } }
            }
        }
    }

    /// Storage calls block, so each loop runs on blocking-work threads: the API's, which this
    /// work belongs with, never the services' set, whose threads commit clicks and follow changes
    /// and must not wait behind an outbox poll on a slow database.
    private func loop(_ name: String, wakeUp: ChangeSignal, _ tick: @escaping @Sendable () async throws -> Void) async {
        await withTaskExecutorPreference(BlockingWorkExecutor.shared) {
            var failing = false
            while !Task.isCancelled {
                do {
                    try await tick()
                    if failing { logger.info("the \(name) outbox works again") }
                    failing = false
                } catch {
                    if !failing { logger.warning("the \(name) outbox failed; retrying", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                await wakeUp.wait(upTo: interval)
            }
        }
    }
}
