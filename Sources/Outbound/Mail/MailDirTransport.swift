import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers mail by writing one RFC 5322 `.eml` file per message into a folder.
///
/// For installations without an SMTP server: an operator (or a test) reads the files. A file is
/// first written under a dot-name that no `*.eml` glob matches, flushed, then renamed, so a reader
/// never sees half a mail. Names start with a UTC stamp (`20261202T031500Z-<random>.eml`) so
/// `ls` lists them in the order they were sent. The folder and files are private to the owner:
/// they hold password-reset links.
public struct MailDirTransport: MailTransport {
    public let directory: String
    private let now: @Sendable () -> Date

    public init(directory: String) throws {
        try self.init(directory: directory, now: { Date() })
    }

    init(directory: String, now: @escaping @Sendable () -> Date) throws {
        self.directory = directory
        self.now = now
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } else if !isDirectory.boolValue {
            throw MailDeliveryError.permanent("the mail folder path is not a folder")
        }
    }

    public func send(_ message: MailMessage) async throws {
        let date = now()
        let text = MIMEMessage.render(message, date: date, messageID: MessageID.make(for: message))
        var generator = SystemRandomNumberGenerator()
        let name = RFC5322Date.compactStamp(from: date) + "-" + RandomHex.make(bytes: 8, using: &generator) + ".eml"
        let temporary = "\(directory)/.\(name).tmp"
        do {
            try Self.writeDurably(Array(text.utf8), to: temporary)
            guard rename(temporary, "\(directory)/\(name)") == 0 else { throw POSIXFailure(code: errno) }
        } catch let failure as POSIXFailure {
            unlink(temporary)
            throw MailDeliveryError.temporary("could not write to the mail folder: \(failure)")
        }
    }

    /// open(O_EXCL, 0600) + write + fsync, so the rename publishes complete, private bytes.
    private static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXFailure(code: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure(code: errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw POSIXFailure(code: errno) }
    }
}

/// An errno with its message, for error descriptions that name no path or content.
struct POSIXFailure: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)) }
}
