import Core
import NIOCore
import NIOHTTP1

/// The `/track` hot path on bare SwiftNIO: no router, no request object, headers built from
/// constants. A known id is answered from memory on the event loop; only a miss leaves it.
final class TrackHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let tracker: ClickTracker
    private var requestHead: HTTPRequestHead?
    /// One handler serves one connection: its peer's address is formatted once, not per click.
    private var peerAddress: String??

    init(tracker: ClickTracker) {
        self.tracker = tracker
    }

    static let notFoundBody = "Not found\n"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): requestHead = head
        case .body: break  // a click has no body; whatever was sent is ignored
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            handle(head, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD, let parts = ClickTracker.split(path: head.uri.utf8) else {
            if head.method == .GET || head.method == .HEAD { tracker.metrics.notFound.add(1, ordering: .relaxed) }
            write(.notFound, head: head, context: context)
            return
        }
        let request = ClickTracker.Request(
            isHead: head.method == .HEAD, idBytes: parts.id, typeBytes: parts.type,
            userAgent: head.headers.first(name: "user-agent"), peerAddress: peer(context),
            forwardedFor: head.headers.first(name: "x-forwarded-for"))
        if let outcome = tracker.outcomeFromMemory(request) {
            write(outcome, head: head, context: context)
            return
        }
        // A well-formed id we have not seen: one database lookup off the event loop, then answer
        // on it. The pipelining handler holds later requests on this connection until then.
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let tracker = self.tracker
        let eventLoop = context.eventLoop
        Task {
            let outcome = await tracker.outcome(request)
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.write(outcome, head: head, context: context)
            }
        }
    }

    private func peer(_ context: ChannelHandlerContext) -> String? {
        if let known = peerAddress { return known }
        let address = context.channel.remoteAddress?.ipAddress
        peerAddress = .some(address)
        return address
    }

    private func write(_ outcome: ClickTracker.Outcome, head request: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        var headers: HTTPHeaders
        let status: HTTPResponseStatus
        var body: ByteBuffer?
        switch outcome {
        case .redirect(let location):
            status = .found
            headers = HTTPHeaders([
                ("Location", location), ("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"),
                ("Access-Control-Allow-Origin", "*"), ("Content-Length", "0"),
            ])
        case .notFound:
            status = .notFound
            headers = HTTPHeaders([
                ("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                ("Content-Length", String(Self.notFoundBody.utf8.count)),
            ])
            if request.method != .HEAD { body = context.channel.allocator.buffer(string: Self.notFoundBody) }
        }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let response = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
