import NIOCore
import NIOPosix
import NIOSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Short, safe words for network errors: they go into logs and, for webhooks, onto the
/// organizer's screen, so they name the kind of failure and never an address or a payload.
enum NetworkErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return describe(errno: error.errnoCode)
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            return error.dnsAError != nil || error.dnsAAAAError != nil ? "DNS lookup failed" : "could not connect"
        case ChannelError.connectTimeout:
            return "connection timed out"
        case ChannelError.ioOnClosedChannel, ChannelError.eof, ChannelError.alreadyClosed:
            return "connection closed"
        case let error as NIOSSLError:
            return describe(tls: error)
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "TLS handshake failed: the certificate does not match the host name"
        case is NIOSSLExtraError:
            return "TLS handshake failed"
        default:
            return "network error (\(type(of: error)))"
        }
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset"
        case ETIMEDOUT: "connection timed out"
        case EHOSTUNREACH, ENETUNREACH: "host unreachable"
        case EPIPE: "connection closed"
        default: "network error (errno \(code))"
        }
    }

    private static func describe(tls error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed(let inner):
            let detail = "\(inner)".uppercased()
            if detail.contains("CERTIFICATE_VERIFY_FAILED") { return "TLS handshake failed: certificate not trusted" }
            if detail.contains("WRONG_VERSION_NUMBER") { return "TLS handshake failed: the server does not speak TLS here" }
            return "TLS handshake failed"
        case .uncleanShutdown:
            return "TLS connection closed uncleanly"
        case .failedToLoadCertificate, .noSuchFilesystemObject:
            return "could not load TLS trust roots"
        default:
            return "TLS error"
        }
    }
}
