import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks a host name up once, on NIO's blocking thread pool, and returns every address.
///
/// The webhook client checks all of them and then connects to one of them by address, so the
/// name is never resolved a second time (no DNS rebinding between check and connect).
enum Resolver {
    struct Failure: Error {}

    static func resolve(_ host: String, port: Int, on eventLoop: any EventLoop) -> EventLoopFuture<[SocketAddress]> {
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try lookUp(host, port: port)
        }
    }

    /// Blocking getaddrinfo; IPv4 and IPv6, stream sockets, duplicates removed, order kept.
    static func lookUp(_ host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw Failure() }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            defer { cursor = info.pointee.ai_next }
            guard let raw = info.pointee.ai_addr else { continue }
            let address: SocketAddress
            switch info.pointee.ai_family {
            case AF_INET: address = SocketAddress(raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }, host: host)
            case AF_INET6: address = SocketAddress(raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }, host: host)
            default: continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        guard !addresses.isEmpty else { throw Failure() }
        return addresses
    }

    /// The socket address of an IP literal taken from a URL.
    static func address(bytes: [UInt8], port: Int) throws -> SocketAddress {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return try SocketAddress(packedIPAddress: buffer, port: port)
    }
}
