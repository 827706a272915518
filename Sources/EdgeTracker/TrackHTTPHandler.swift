import Core
import Foundation
import NIOCore
import NIOHTTP1

/// The `/track` hot path on bare SwiftNIO: NIO's request decoder in front, then this handler,
/// which writes each answer as one preassembled byte buffer (no response encoder, no pipelining
/// helper, no header objects). A known id is answered from memory on the event loop; only a miss
/// leaves it. Answers keep the order of the requests on a connection even when a miss has to wait
/// for the database: later requests queue behind it.
///
/// It also defends the connection, at a cost of one increment per request on the hot path:
/// - request timeout: one repeating check per connection at a quarter of `requestTimeout` closes
///   it when no request head completed over a whole timeout (slow-header clients trickling bytes,
///   idle keep-alive, clients that stopped reading) unless a database lookup is in progress;
/// - back-pressure: it holds NIO's `read` while the channel is unwritable (the client does not read
///   its answers) or while too many requests wait behind a lookup, and lets it go when that clears.
final class TrackHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let tracker: ClickTracker
    private var requestHead: HTTPRequestHead?
    /// One handler serves one connection: its peer's address is formatted once, not per click.
    private var peerAddress: String??
    /// Requests that arrived while an earlier one waits for a database lookup.
    private var waiting = CircularBuffer<HTTPRequestHead>()
    private var lookingUp = false
    /// The answer to a request NIO's decoder rejected, written once the requests before it are answered.
    private var pendingError: ErrorAnswer?
    private var dateCache = HTTPDateCache()
    /// The last user agent seen on this connection and the bot filter's verdict on it: clients
    /// repeat the same header on every request, and the scan was the hottest code of the tracker.
    private var lastUserAgent: String?
    private var lastUserAgentIsAutomated = true

    // Back-pressure.
    private var writable = true
    private var tooManyWaiting = false
    /// A `read` NIO asked for while paused, passed on when the pause ends.
    private var readHeld = false

    // Request timeout: `heads` is the cheap per-request marker the periodic check compares.
    private var heads: UInt32 = 0
    private var headsAtLastCheck: UInt32 = 0
    private var quietChecks = 0
    private var timeoutCheck: RepeatedTask?
    static let checksPerTimeout = 4

    init(tracker: ClickTracker) {
        self.tracker = tracker
    }

    static let notFoundBody = "Not found\n"
    /// 52 bytes, as the 503 head says.
    static let unavailableBody = "Temporarily unavailable; try again in a few seconds\n"

    enum ErrorAnswer {
        case badRequest, headerTooLarge

        var bytes: StaticString {
            switch self {
            case .badRequest: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            case .headerTooLarge: "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            }
        }
    }

    // MARK: Lifecycle and the request timeout

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimeoutCheck(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimeoutCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimeoutCheck()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimeoutCheck()
    }

    private func startTimeoutCheck(context: ChannelHandlerContext) {
        guard timeoutCheck == nil else { return }
        let interval = TimeAmount.nanoseconds(TimeAmount(tracker.config.requestTimeout).nanoseconds / Int64(Self.checksPerTimeout))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (handler, context) = loopBound.value
            handler.checkTimeout(context: context)
        }
    }

    private func stopTimeoutCheck() {
        timeoutCheck?.cancel()
        timeoutCheck = nil
    }

    /// Closes the connection after `checksPerTimeout` checks in a row without a new request head
    /// (so between one and one and a quarter timeouts after the last one, or after it opened). A
    /// lookup in progress is our wait, not the client's.
    private func checkTimeout(context: ChannelHandlerContext) {
        if lookingUp || heads != headsAtLastCheck {
            headsAtLastCheck = heads
            quietChecks = 0
            return
        }
        quietChecks += 1
        guard quietChecks >= Self.checksPerTimeout else { return }
        stopTimeoutCheck()
        tracker.metrics.requestTimeouts.wrappingAdd(1, ordering: .relaxed)
        context.close(promise: nil)
    }

    // MARK: Back-pressure

    func read(context: ChannelHandlerContext) {
        let writerBehind = tracker.holdsIntake
        if writable && !tooManyWaiting && !writerBehind {
            context.read()
            return
        }
        if !readHeld {
            readHeld = true
            tracker.metrics.readPauses.wrappingAdd(1, ordering: .relaxed)
        }
        if writerBehind { recheckIntakeSoon(context: context) }
    }

    /// The queue has no callback when it drains; a held connection looks again shortly.
    private func recheckIntakeSoon(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(2)) {
            let (handler, context) = loopBound.value
            guard context.channel.isActive else { return }
            if handler.tracker.holdsIntake {
                handler.recheckIntakeSoon(context: context)
            } else {
                handler.resumeReading(context: context)
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable { resumeReading(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readHeld, writable, !tooManyWaiting, !tracker.holdsIntake else { return }
        readHeld = false
        context.read()
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
            heads &+= 1
        case .body: break  // a click has no body; whatever was sent is ignored
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            if lookingUp {
                waiting.append(head)
                if waiting.count >= tracker.config.maxWaitingRequests { tooManyWaiting = true }
            } else {
                handle(head, context: context)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request NIO's decoder could not parse: answer once and close, as HTTP requires; a head
        // over the size or field-count limit is 431, anything else 400. The decoder reads nothing
        // more, but requests decoded before the bad one still get their answers first.
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        let answer: ErrorAnswer
        if case .headerOverflow = parserError {
            answer = .headerTooLarge
            tracker.metrics.headersTooLarge.wrappingAdd(1, ordering: .relaxed)
        } else {
            answer = .badRequest
        }
        if lookingUp {
            pendingError = answer
        } else {
            writeError(answer, context: context)
        }
    }

    private func writeError(_ answer: ErrorAnswer, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        buffer.writeStaticString(answer.bytes)
        let loopBound = context.loopBound
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
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
            automated: isAutomated(userAgent), placementBytes: parts.placement)
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
        if !lookingUp, let answer = pendingError {
            pendingError = nil
            writeError(answer, context: context)
            return
        }
        context.flush()
        if tooManyWaiting && waiting.count < tracker.config.maxWaitingRequests / 2 {
            tooManyWaiting = false
            resumeReading(context: context)
        }
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
        case .viewed:
            buffer = context.channel.allocator.buffer(capacity: 160)
            buffer.writeStaticString("HTTP/1.1 204 No Content\r\nCache-Control: no-store\r\n")
        case .notFound:
            buffer = context.channel.allocator.buffer(capacity: 220)
            buffer.writeStaticString(
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: 10\r\n")
        case .unavailable:
            buffer = context.channel.allocator.buffer(capacity: 240)
            buffer.writeStaticString(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 5\r\nContent-Length: 52\r\n")
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
        if request.method != .HEAD {
            switch outcome {
            case .notFound: buffer.writeStaticString("Not found\n")
            case .unavailable: buffer.writeString(Self.unavailableBody)
            case .redirect, .viewed: break
            }
        }
        if keepAlive {
            context.write(wrapOutboundOut(buffer), promise: nil)
        } else {
            let loopBound = context.loopBound
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
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
