import Core
import Foundation
import NIOCore
import NIOHTTP1

/// The `/track` hot path on bare SwiftNIO: NIO's request decoder in front, then this handler,
/// which writes each answer as one preassembled byte buffer (no response encoder, no pipelining
/// helper, no header objects). A known id is answered from memory on the event loop; only a miss
/// leaves it. Answers keep the order of the requests on a connection even when a miss has to wait
/// for the database: later requests queue behind it.
final class TrackHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let tracker: ClickTracker
    private var requestHead: HTTPRequestHead?
    /// One handler serves one connection: its peer's address is formatted once, not per click.
    private var peerAddress: String??
    /// Requests that arrived while an earlier one waits for a database lookup.
    private var waiting: [HTTPRequestHead] = []
    private var lookingUp = false
    private var closeAfterWaiting = false
    private var dateCache = HTTPDateCache()
    /// The last user agent seen on this connection and the bot filter's verdict on it: clients
    /// repeat the same header on every request, and the scan was the hottest code of the tracker.
    private var lastUserAgent: String?
    private var lastUserAgentIsAutomated = true

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
            if lookingUp { waiting.append(head) } else { handle(head, context: context) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request NIO's decoder could not parse: answer 400 once and close, as HTTP requires.
        guard error is HTTPParserError else {
            context.close(promise: nil)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 128)
        buffer.writeString("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD, let parts = ClickTracker.split(path: head.uri.utf8) else {
            if head.method == .GET || head.method == .HEAD { tracker.metrics.notFound.add(1, ordering: .relaxed) }
            write(.notFound, head: head, context: context)
            return
        }
        let userAgent = head.headers.first(name: "user-agent")
        let request = ClickTracker.Request(
            isHead: head.method == .HEAD, idBytes: parts.id, typeBytes: parts.type, userAgent: userAgent,
            peerAddress: peer(context), forwardedFor: head.headers.first(name: "x-forwarded-for"),
            automated: isAutomated(userAgent))
        if let outcome = tracker.outcomeFromMemory(request) {
            write(outcome, head: head, context: context)
            return
        }
        // A well-formed id we have not seen: one database lookup off the event loop, then answer
        // on it, and only then the requests that queued up behind this one.
        lookingUp = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let tracker = self.tracker
        let eventLoop = context.eventLoop
        Task {
            let outcome = await tracker.outcome(request)
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.lookingUp = false
                handler.write(outcome, head: head, context: context)
                context.flush()
                handler.drainWaiting(context: context)
            }
        }
    }

    private func drainWaiting(context: ChannelHandlerContext) {
        while !lookingUp, !waiting.isEmpty {
            handle(waiting.removeFirst(), context: context)
        }
        context.flush()
    }

    private func isAutomated(_ userAgent: String?) -> Bool {
        if userAgent != lastUserAgent || lastUserAgent == nil {
            lastUserAgent = userAgent
            lastUserAgentIsAutomated = BotFilter.isAutomated(userAgent: userAgent)
        }
        return lastUserAgentIsAutomated
    }

    private func peer(_ context: ChannelHandlerContext) -> String? {
        if let known = peerAddress { return known }
        let address = context.channel.remoteAddress?.ipAddress
        peerAddress = .some(address)
        return address
    }

    private func write(_ outcome: ClickTracker.Outcome, head request: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        var buffer: ByteBuffer
        switch outcome {
        case .redirect(let location):
            buffer = context.channel.allocator.buffer(capacity: 220 + location.utf8.count)
            buffer.writeStaticString("HTTP/1.1 302 Found\r\nLocation: ")
            buffer.writeString(location)
            buffer.writeStaticString(
                "\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n")
        case .notFound:
            buffer = context.channel.allocator.buffer(capacity: 220)
            buffer.writeStaticString(
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: 10\r\n")
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(dateCache.now())
        buffer.writeStaticString("\r\n")
        if !keepAlive {
            buffer.writeStaticString("Connection: close\r\n")
        } else if request.version.major == 1 && request.version.minor == 0 {
            buffer.writeStaticString("Connection: keep-alive\r\n")
        }
        buffer.writeStaticString("\r\n")
        if case .notFound = outcome, request.method != .HEAD { buffer.writeStaticString("Not found\n") }
        if keepAlive {
            context.write(wrapOutboundOut(buffer), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
        }
    }
}

/// The `Date` header value, formatted at most once per second per connection.
struct HTTPDateCache {
    private var second: Int = -1
    private var text = ""

    mutating func now() -> String {
        let current = Int(Date().timeIntervalSince1970)
        if current != second {
            second = current
            text = UTCTimestamp.httpDate(epochSeconds: Int64(current))
        }
        return text
    }
}
