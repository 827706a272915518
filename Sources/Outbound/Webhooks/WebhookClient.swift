import NIOCore
import NIOPosix

/// Makes webhook POSTs under the SSRF rules.
public final class WebhookClient: Sendable {
    let policy: WebhookTargetPolicy
    let timeout: Duration
    let group: any EventLoopGroup

    public init(policy: WebhookTargetPolicy, timeout: Duration = .seconds(10), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.policy = policy
        self.timeout = timeout
        self.group = group
    }

    public func post(_ post: WebhookPost) async -> WebhookOutcome {
        .failed(reason: "webhook delivery is not implemented yet")
    }
}
