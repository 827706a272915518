import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Makes one webhook POST under the SSRF rules and reports what happened; never throws.
///
/// Steps: check the URL statically, resolve the host once (off the event loop), check every
/// address, connect to a checked address (so a second lookup can never swap in an internal
/// one), TLS with SNI and the system trust roots, one HTTP/1.1 request with `Connection: close`,
/// then read only the status. Redirects are reported, not followed. Everything, DNS included,
/// is bounded by `timeout`.
public final class WebhookClient: Sendable {
    let policy: WebhookTargetPolicy
    let timeout: Duration
    let group: any EventLoopGroup
    private let tlsContext: NIOSSLContext?

    public convenience init(
        policy: WebhookTargetPolicy, timeout: Duration = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        self.init(policy: policy, timeout: timeout, group: group, tls: configuration)
    }

    /// For tests that trust their own CA.
    init(policy: WebhookTargetPolicy, timeout: Duration, group: any EventLoopGroup, tls: TLSConfiguration) {
        self.policy = policy
        self.timeout = timeout
        self.group = group
        self.tlsContext = try? NIOSSLContext(configuration: tls)
    }

    public func post(_ post: WebhookPost) async -> WebhookOutcome {
        let target: WebhookURL
        do {
            target = try WebhookURL.parse(post.url)
        } catch {
            return .failed(reason: "invalid URL: \(error.rawValue)")
        }
        if let problem = policy.problem(with: post.url) { return .failed(reason: "refused: the URL \(problem)") }

        let eventLoop = group.next()
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        do {
            let addresses = try await resolve(target, on: eventLoop, deadline: deadline)
            guard addresses.allSatisfy(policy.permits) else { return .failed(reason: WebhookFailure.privateTarget.description) }
            let status = try await exchange(post, target: target, addresses: addresses, on: eventLoop, deadline: deadline)
            return (200..<300).contains(status) ? .delivered(status: status) : .rejected(status: status)
        } catch let failure as WebhookFailure {
            return .failed(reason: failure.description)
        } catch {
            return .failed(reason: NetworkErrorText.describe(error))
        }
    }

    private func resolve(_ target: WebhookURL, on eventLoop: any EventLoop, deadline: NIODeadline) async throws -> [SocketAddress] {
        if let literal = target.literal { return [try Resolver.address(bytes: literal, port: target.port)] }
        let promise = eventLoop.makePromise(of: [SocketAddress].self)
        let timeout = self.timeout
        let timer = eventLoop.scheduleTask(deadline: deadline) { promise.fail(WebhookFailure.timedOut(timeout)) }
        Resolver.resolve(target.host, port: target.port, on: eventLoop)
            .flatMapErrorThrowing { _ in throw WebhookFailure.dnsFailed }
            .cascade(to: promise)
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    /// Tries the checked addresses in resolver order until one connects, then sends the request.
    private func exchange(
        _ post: WebhookPost, target: WebhookURL, addresses: [SocketAddress], on eventLoop: any EventLoop, deadline: NIODeadline
    ) async throws -> Int {
        var lastError: any Error = WebhookFailure.closedWithoutAnswer
        for address in addresses {
            let remaining = deadline - .now()
            guard remaining > .zero else { throw WebhookFailure.timedOut(timeout) }
            let status = eventLoop.makePromise(of: Int.self)
            let channel: any Channel
            do {
                channel = try await connect(address, target: target, status: status, on: eventLoop, timeout: remaining)
            } catch ChannelError.connectTimeout {
                status.fail(WebhookFailure.timedOut(timeout))
                throw WebhookFailure.timedOut(timeout)
            } catch {
                status.fail(error)
                lastError = error
                continue
            }
            let timeout = self.timeout
            let timer = eventLoop.scheduleTask(deadline: deadline) {
                status.fail(WebhookFailure.timedOut(timeout))
                channel.close(promise: nil)
            }
            defer { timer.cancel() }
            channel.writeAndFlush(HTTPClientRequestPart.head(WebhookRequest.head(for: post, target: target)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: post.body))), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            do {
                let code = try await status.futureResult.get()
                channel.close(promise: nil)
                return code
            } catch {
                channel.close(promise: nil)
                throw error
            }
        }
        throw lastError
    }

    private func connect(
        _ address: SocketAddress, target: WebhookURL, status: EventLoopPromise<Int>, on eventLoop: any EventLoop, timeout: TimeAmount
    ) async throws -> any Channel {
        var tls: NIOSSLContext?
        if target.isHTTPS {
            guard let tlsContext else { throw NIOSSLError.failedToLoadCertificate }
            tls = tlsContext
        }
        let serverHostname = target.literal == nil ? target.host : nil
        return try await ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { [tls] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname)) }
                    try sync.addHandler(HTTPRequestEncoder())
                    try sync.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try sync.addHandler(WebhookResponseHandler(promise: status))
                }
            }
            .connect(to: address).get()
    }
}
