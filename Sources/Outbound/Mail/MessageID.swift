/// Fresh Message-ID values: `<32 random hex>@<domain of the sender>`.
///
/// Using the sender's domain keeps the id unique across hosts without knowing our own host name.
enum MessageID {
    static func make(for message: MailMessage) -> String {
        var generator = SystemRandomNumberGenerator()
        return "\(RandomHex.make(bytes: 16, using: &generator))@\(Mailbox(parsing: message.from).domain)"
    }
}

/// Lowercase hex of random bytes, for Message-IDs and drop-folder file names.
enum RandomHex {
    static func make(bytes count: Int, using generator: inout some RandomNumberGenerator) -> String {
        let hex = Array("0123456789abcdef")
        var out = ""
        for _ in 0..<count {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return out
    }
}
