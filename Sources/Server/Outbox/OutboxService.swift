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
    let logger: Logger

    init(database: any DataStore, config: OutboxConfig, publicURL: URL, logger: Logger, now: @escaping @Sendable () -> Date) throws {
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
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await loop("mail") { _ = try await mail.sendDue() } }
                group.addTask { await loop("webhooks") { _ = try await webhooks.deliverDue() } }
            }
        }
    }

    /// Storage calls block, so each loop runs on the services' threads.
    private func loop(_ name: String, _ tick: @escaping @Sendable () async throws -> Void) async {
        await withTaskExecutorPreference(BlockingWorkExecutor.services) {
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
                try? await Task.sleep(for: interval)
            }
        }
    }
}
