import Hummingbird
import NIOCore

/// The request context of every route `serve` answers: Hummingbird's core storage plus the peer
/// address (the tracker's rate limiter and, behind a trusted proxy, `X-Forwarded-For`).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
