import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP peer that answers SMTP command lines from a script, for the odd servers
/// aiosmtpd will not imitate (no EHLO, silence, replies injected after STARTTLS).
/// `answer` gets each command line and returns the raw reply bytes to send, or nil for silence.
final class ScriptedSMTPServer: Sendable {
    private let channel: any Channel
    private let log: CommandLog
    let port: Int

    var commands: [String] { log.lines.withLock { $0 } }

    static func start(greeting: String = "220 scripted ESMTP\r\n", answer: @escaping @Sendable (String) -> String?) async throws -> ScriptedSMTPServer {
        let log = CommandLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(greeting: greeting, answer: answer, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedSMTPServer(channel: channel, log: log)
    }

    private init(channel: any Channel, log: CommandLog) {
        self.channel = channel
        self.log = log
        port = channel.localAddress!.port!
    }

    func stop() async { try? await channel.close() }
}

private final class CommandLog: Sendable {
    let lines = Mutex<[String]>([])
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let greeting: String
    let answer: @Sendable (String) -> String?
    let log: CommandLog
    var pending: [UInt8] = []
    var inData = false

    init(greeting: String, answer: @escaping @Sendable (String) -> String?, log: CommandLog) {
        self.greeting = greeting
        self.answer = answer
        self.log = log
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: greeting)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let newline = pending.firstIndex(of: 10) {
            let line = String(decoding: pending[..<newline], as: UTF8.self).trimmingSuffix("\r")
            pending.removeFirst(newline + 1)
            if inData {
                if line == "." { inData = false } else { continue }
            }
            log.lines.withLock { $0.append(line) }
            if line.uppercased() == "DATA" { inData = true }
            if let reply = answer(line) {
                context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: reply)), promise: nil)
            }
        }
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
