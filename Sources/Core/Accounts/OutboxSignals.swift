/// Wake-ups for the outbox dispatchers of this process: queueing a mail or a webhook delivery
/// rings one, so it leaves at once instead of at the next poll. Rows queued elsewhere (another
/// node, the tracker's milestones) and retries that fall due are still found by polling.
public final class OutboxSignals: Sendable {
    public let mail = ChangeSignal()
    public let webhooks = ChangeSignal()

    public init() {}
}
