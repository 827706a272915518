import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A minimal HTTP/1.1 server on SwiftNIO, run as a service: binds, reports its port, and on
/// graceful shutdown stops accepting and closes its connections, so that every response it has
/// sent is behind it before later services (the click writer) shut down.
public struct NIOHTTPService: Service {
    let name: String
    let host: String
    let port: Int
    let logger: Logger
    let makeHandler: @Sendable () -> any ChannelHandler & RemovableChannelHandler
    let onReady: @Sendable (Int) async -> Void
    /// `.full`: NIO's HTTP/1 server pipeline (decoder, encoder, pipelining, error handling).
    /// `.decoderOnly`: only the request decoder; the handler writes raw response bytes and keeps
    /// answers in order itself (the tracker's lean path).
    let pipeline: Pipeline
    /// For the public port: connection cap, bounded request heads, bounded buffers. Nil for the
    /// loopback metrics port.
    let defences: ConnectionDefences?

    enum Pipeline: Sendable { case full, decoderOnly }

    /// Per connection, writes beyond the high mark make the channel unwritable (the handler then
    /// stops reading) until they drain below the low mark.
    static let writeWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 16 * 1_024, high: 64 * 1_024)
    /// At most one 16 KiB read per readiness event: a client pipelining thousands of requests
    /// gets at most that many bytes decoded (and answered) before back-pressure can act.
    static let receiveBuffer = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1_024, maximum: 16 * 1_024)

    init(
        name: String, host: String, port: Int, logger: Logger, pipeline: Pipeline = .full, defences: ConnectionDefences? = nil,
        makeHandler: @escaping @Sendable () -> any ChannelHandler & RemovableChannelHandler,
        onReady: @escaping @Sendable (Int) async -> Void
    ) {
        self.pipeline = pipeline
        self.defences = defences
        self.name = name
        self.host = host
        self.port = port
        self.logger = logger
        self.makeHandler = makeHandler
        self.onReady = onReady
    }

    public func run() async throws {
        let connections = ConnectionSet()
        let makeHandler = self.makeHandler
        let pipeline = self.pipeline
        let defences = self.defences
        let cap = defences.map { FileDescriptorLimit.connectionCap(wanted: $0.maxConnections) } ?? .max
        if let defences, cap < defences.maxConnections {
            logger.warning(
                "\(name): connection cap lowered by the open-file limit (RLIMIT_NOFILE)",
                metadata: ["wanted": "\(defences.maxConnections)", "cap": "\(cap)"])
        }
        var bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1_024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        if defences != nil {
            bootstrap = bootstrap
                .childChannelOption(.writeBufferWaterMark, value: Self.writeWaterMark)
                .childChannelOption(.recvAllocator, value: Self.receiveBuffer)
                .childChannelOption(.maxMessagesPerRead, value: 1)
        }
        bootstrap = bootstrap
            .childChannelInitializer { channel in
                if let metrics = defences?.metrics {
                    // Counted on accept, so a connection that never sends a byte counts too.
                    if metrics.openConnections.wrappingAdd(1, ordering: .relaxed).newValue > cap {
                        metrics.openConnections.wrappingSubtract(1, ordering: .relaxed)
                        metrics.connectionsRefused.wrappingAdd(1, ordering: .relaxed)
                        // A failed initializer makes NIO close the accepted socket before it is registered.
                        return channel.eventLoop.makeFailedFuture(ConnectionCapReached())
                    }
                    channel.closeFuture.whenComplete { _ in metrics.openConnections.wrappingSubtract(1, ordering: .relaxed) }
                }
                connections.insert(channel)
                channel.closeFuture.whenComplete { _ in connections.remove(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    switch pipeline {
                    case .full:
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    case .decoderOnly:
                        let decoder = HTTPRequestDecoder(
                            leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop,
                            limitConfiguration: defences?.decoderLimits ?? .init())
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
                    }
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
        let server = try await bootstrap.bind(host: host, port: port).get()
        let boundPort = server.localAddress?.port ?? port
        logger.info("\(name) is ready on http://\(host):\(boundPort)")
        await onReady(boundPort)
        // Wait for shutdown; an immediate cancellation lands here too.
        try? await gracefulShutdown()
        try? await server.close()
        for channel in connections.all() { try? await channel.close() }
        logger.info("\(name) stopped accepting requests")
    }
}

/// Open connections of one server, so shutdown can close them.
private final class ConnectionSet: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    func insert(_ channel: any Channel) { channels.withLockedValue { $0[ObjectIdentifier(channel)] = channel } }
    func remove(_ channel: any Channel) { channels.withLockedValue { $0[ObjectIdentifier(channel)] = nil } }
    func all() -> [any Channel] { channels.withLockedValue { Array($0.values) } }
}
