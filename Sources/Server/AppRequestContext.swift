import API
import Core
import Hummingbird
import NIOCore

/// The request context of every route the servers answer: Hummingbird's core storage, the peer
/// address (rate limits; behind a trusted proxy, `X-Forwarded-For`), and the signed-in organizer.
public struct AppRequestContext: APIRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var identity: User?
    public var authenticatedByCookie = false
    public var grant: Grant?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
