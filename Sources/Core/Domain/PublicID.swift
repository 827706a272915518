/// The unguessable id that names an event in public URLs and on disk (`out/widget/event/{id}/`).
///
/// One strict pattern is used everywhere: 16 to 64 characters of the URL-safe base64 alphabet
/// (`A-Z a-z 0-9 - _`). Because the id becomes a directory name, the check is byte-level and cheap
/// enough for the click tracker's hot path; nothing that fails it ever reaches the disk or the database.
public struct PublicID: Hashable, Sendable, CustomStringConvertible, Codable {
    public static let lengthRange = 16...64
    /// Length of ids we mint: 22 characters carry 132 random bits.
    public static let generatedLength = 22

    public let rawValue: String

    public init?(_ rawValue: some StringProtocol) {
        guard Self.isValid(rawValue.utf8) else { return nil }
        self.rawValue = String(rawValue)
    }

    /// Checks raw bytes against the pattern without allocating.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        guard lengthRange.contains(bytes.count) else { return false }
        return bytes.allSatisfy(isAlphabetByte)
    }

    @inline(__always)
    static func isAlphabetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// Mints a new id from a cryptographically secure generator (`SystemRandomNumberGenerator`
    /// reads the kernel's CSPRNG); tests inject a seeded generator for repeatable ids.
    public static func random(using generator: inout some RandomNumberGenerator) -> PublicID {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(generatedLength)
        for _ in 0..<generatedLength {
            // 64 symbols: an unbiased draw is one 6-bit slice of a random number.
            bytes.append(alphabet[Int(generator.next() & 63)])
        }
        return PublicID(uncheckedRawValue: String(decoding: bytes, as: UTF8.self))
    }

    public static func random() -> PublicID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    private init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let id = PublicID(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid public id"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
