/// When credentials may go over the wire: encrypted, or to this machine.
///
/// A relay on localhost (a local Postfix that needs a password) is common and cannot be sniffed
/// on the network; anything else in plain text would hand the password to every hop.
enum SMTPAuthPolicy {
    static func mayAuthenticate(encrypted: Bool, host: String) -> Bool {
        encrypted || isLoopback(host)
    }

    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        guard let bytes = IPLiteral.parse(name) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }  // ::1
        let mapped = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
        return Array(bytes.prefix(12)) == mapped && bytes[12] == 127  // ::ffff:127.x.x.x
    }
}
