import NIOCore
import NIOHTTP1

/// `GET /metrics` in Prometheus text format; everything else is 404. Served on its own
/// loopback-only port so the public never sees it.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: TrackerMetrics
    private var requestHead: HTTPRequestHead?

    init(metrics: TrackerMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): requestHead = head
        case .body: break
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            let found = head.method == .GET && (head.uri == "/metrics" || head.uri.hasPrefix("/metrics?"))
            let text = found ? metrics.prometheusText() : "Not found\n"
            let contentType = found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8"
            var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(text.utf8.count))])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
