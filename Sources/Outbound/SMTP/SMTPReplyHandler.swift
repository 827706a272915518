import NIOCore

/// Hands replies to whoever waits for the next one, each wait bounded by a timeout.
///
/// Replies that arrive before anyone asks are queued; a connection error or EOF fails the
/// current and every later wait, so the dialog never hangs on a dead connection. Lives on the
/// channel's event loop; `SMTPConnection` reaches it only through `NIOLoopBound`.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var parser = SMTPReplyParser()
    private var queued: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var waiterTimeout: Scheduled<Void>?
    private var failure: SMTPConnectionError?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytesView
        do {
            for reply in try parser.feed(bytes) { deliver(reply) }
        } catch {
            fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error as? SMTPConnectionError ?? .network(NetworkErrorText.describe(error)))
        context.close(promise: nil)
    }

    /// True when nothing from the server is waiting to be read: the moment to put TLS in place.
    var isDrained: Bool { queued.isEmpty && !parser.hasBufferedInput }

    /// The next reply, or an error after `timeout`. Call on the event loop, one wait at a time.
    func nextReply(eventLoop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        if !queued.isEmpty { return eventLoop.makeSucceededFuture(queued.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        waiterTimeout = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(.timedOut)
            context?.close(promise: nil)
        }
        return promise.futureResult
    }

    private func deliver(_ reply: SMTPReply) {
        if let waiter {
            finishWaiting()
            waiter.succeed(reply)
        } else {
            queued.append(reply)
        }
    }

    private func fail(_ error: SMTPConnectionError) {
        if failure == nil { failure = error }
        if let waiter {
            finishWaiting()
            waiter.fail(failure ?? error)
        }
    }

    private func finishWaiting() {
        waiterTimeout?.cancel()
        waiterTimeout = nil
        waiter = nil
    }
}
