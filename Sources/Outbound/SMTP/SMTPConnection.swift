import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to an SMTP server, spoken to one command and one reply at a time.
///
/// Writes are not awaited (a TLS handler may hold them until its handshake is done); every read
/// is bounded by `timeout`, which is what keeps a silent or half-open server from hanging the
/// mail dispatcher.
final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let replies: NIOLoopBound<SMTPReplyHandler>
    private let timeout: TimeAmount

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, timeout: TimeAmount) {
        self.channel = channel
        self.replies = replies
        self.timeout = timeout
    }

    /// Connects (TLS from the first byte when `tls` is given, as smtps wants).
    static func connect(
        host: String, port: Int, tls: (context: NIOSSLContext, serverHostname: String?)?,
        timeout: TimeAmount, group: any EventLoopGroup
    ) async throws -> SMTPConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
            .connect(host: host, port: port).get()
        let replies = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPConnection(channel: channel, replies: replies, timeout: timeout)
    }

    func read() async throws -> SMTPReply {
        let replies = self.replies
        let timeout = self.timeout
        return try await channel.eventLoop.flatSubmit {
            replies.value.nextReply(eventLoop: replies.eventLoop, timeout: timeout)
        }.get()
    }

    /// Sends one command line (CRLF appended) and waits for its reply.
    func command(_ line: String) async throws -> SMTPReply {
        write(Array(line.utf8) + [13, 10])
        return try await read()
    }

    func write(_ bytes: [UInt8]) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    /// Puts TLS under the running dialog (after the server's 220 to STARTTLS). The handshake
    /// runs as soon as the handler is in; its failure surfaces as an error on the next read.
    /// Bytes already received would be plain text posing as the TLS session's first replies, so
    /// their presence ends the connection; checking and inserting in one event-loop turn leaves
    /// no gap for more to arrive unencrypted.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        let replies = self.replies
        try await channel.eventLoop.submit {
            guard replies.value.isDrained else { throw SMTPConnectionError.network("the SMTP server sent data right after agreeing to STARTTLS") }
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}
