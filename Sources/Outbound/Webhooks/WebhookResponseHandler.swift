import NIOCore
import NIOHTTP1

/// Reads just enough of the receiver's answer: the status, then up to 64 KiB of body, discarded.
///
/// The promise completes with the status at the end of the response, when the body passes the
/// limit (the connection is then closed: a receiver may not keep us reading), or when the peer
/// closes after the head. Informational 1xx heads are skipped. Closing before any status fails it.
final class WebhookResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    static let bodyLimit = 64 * 1024
    private let promise: EventLoopPromise<Int>
    private var status: Int?
    private var bodyBytes = 0

    init(promise: EventLoopPromise<Int>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let code = Int(head.status.code)
            if (100..<200).contains(code) { return }
            status = code
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes > Self.bodyLimit { finish(context: context) }
        case .end:
            finish(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let status {
            promise.succeed(status)
        } else {
            promise.fail(WebhookFailure.closedWithoutAnswer)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let status { promise.succeed(status) } else { promise.fail(error) }
        context.close(promise: nil)
    }

    private func finish(context: ChannelHandlerContext) {
        guard let status else { return }
        promise.succeed(status)
        context.close(promise: nil)
    }
}

/// Failures of a webhook POST that NIO has no error for; their descriptions are shown to organizers.
enum WebhookFailure: Error, CustomStringConvertible {
    case timedOut(Duration)
    case closedWithoutAnswer
    case dnsFailed
    case privateTarget

    var description: String {
        switch self {
        case .timedOut(let timeout): "timed out after \(timeout.secondsText)"
        case .closedWithoutAnswer: "the receiver closed the connection without answering"
        case .dnsFailed: "DNS lookup failed"
        case .privateTarget: "refused: the host resolves to a private or loopback address"
        }
    }
}

extension Duration {
    /// `10 s`, `0.5 s`: short enough for a status column.
    var secondsText: String {
        let (seconds, attoseconds) = components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(seconds) s" : "\(seconds).\(tenths) s"
    }
}
