import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A loopback HTTP/1.1 server that records the exact bytes of each request and answers with a
/// canned response, or never answers. Parses only what it needs (head end, Content-Length) so
/// the test sees the wire bytes the client wrote, not a decoder's interpretation.
final class TestHTTPServer: Sendable {
    enum Behavior: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String = "")
        case neverAnswer
    }

    struct Request: Sendable {
        var head: String
        var body: [UInt8]

        var requestLine: String { String(head.split(separator: "\r\n").first ?? "") }
        var headers: [(String, String)] {
            head.components(separatedBy: "\r\n").dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
        }
        func header(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    }

    private let channel: any Channel
    private let recorded: Mutex<[Request]>
    let port: Int

    var requests: [Request] { recorded.withLock { $0 } }

    private init(channel: any Channel) {
        self.channel = channel
        self.recorded = Mutex([])
        port = channel.localAddress!.port!
    }

    static func start(_ behavior: Behavior, tls: NIOSSLContext? = nil) async throws -> TestHTTPServer {
        let box = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(behavior: behavior, log: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = TestHTTPServer(channel: channel)
        box.server.withLock { $0 = server }
        return server
    }

    fileprivate func record(_ request: Request) { recorded.withLock { $0.append(request) } }

    func stop() async { try? await channel.close() }
}

/// Lets the handlers reach the server object created after bind.
private final class RequestLog: Sendable {
    let server = Mutex<TestHTTPServer?>(nil)
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let behavior: TestHTTPServer.Behavior
    let log: RequestLog
    var bytes: [UInt8] = []
    var done = false

    init(behavior: TestHTTPServer.Behavior, log: RequestLog) {
        self.behavior = behavior
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard !done, let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        let request = TestHTTPServer.Request(head: head, body: [])
        let length = Int(request.header("Content-Length").first ?? "0") ?? 0
        guard bytes.count - end.upperBound >= length else { return }
        done = true
        log.server.withLock { $0?.record(TestHTTPServer.Request(head: head, body: Array(bytes[end.upperBound...]))) }
        guard case .respond(let status, let headers, let body) = behavior else { return }
        var response = "HTTP/1.1 \(status) Whatever\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers { response += "\(name): \(value)\r\n" }
        response += "\r\n" + body
        let channel = context.channel
        context.writeAndFlush(NIOAny(channel.allocator.buffer(string: response))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
