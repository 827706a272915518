import Synchronization

/// Turns a visitor into a number for one day's `VisitorSketch`, with no way back.
///
/// The hash is SipHash-2-4, keyed with a random 16-byte secret of the current UTC day, over the
/// visitor's address, user agent and the event id. Every tracker process sharing a database uses
/// the same secret for the same day (`DataStore.visitorSecrets`), so one visitor hashes alike on
/// every node and is counted once. Once the day is over the secret is deleted everywhere: the
/// registers already written cannot be linked to anyone, not even by us, because nobody can
/// recompute the hashes that set them. The event id in the input means the same person gets
/// unrelated numbers on different events.
public final class VisitorHasher: Sendable {
    private let secrets = Mutex<[Int64: SipHash24]>([:])

    public init() {}

    /// The hash of a visitor at `epochSeconds`; nil while that day's secret is not known (the
    /// view is still counted, only not as a visitor).
    public func hash(address: String?, userAgent: String?, eventID: Int64, at epochSeconds: Int64) -> UInt64? {
        let day = TrafficTime.dayStart(epochSeconds)
        guard let key = secrets.withLock({ $0[day] }) else { return nil }
        var message: [UInt8] = []
        message.reserveCapacity(96)
        message.append(contentsOf: (address ?? "").utf8)
        message.append(0)
        message.append(contentsOf: (userAgent ?? "").utf8)
        message.append(0)
        withUnsafeBytes(of: eventID.littleEndian) { message.append(contentsOf: $0) }
        return key.hash(message)
    }

    /// Installs the secrets of the given days (UTC day starts) and forgets every other day's.
    public func install(_ daySecrets: [Int64: [UInt8]]) {
        let keys = daySecrets.mapValues { SipHash24(key: $0) }
        secrets.withLock { $0 = keys }
    }

    /// Days whose secret is held (tests, diagnostics).
    public var days: [Int64] { secrets.withLock { $0.keys.sorted() } }

    /// A new random secret (the kernel's CSPRNG).
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
