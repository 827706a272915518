/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit pseudorandom function, built for
/// hashing short inputs under a secret key. Without the key its outputs cannot be computed or
/// inverted, which is what the visitor count needs: a daily secret turns "address + user agent"
/// into a number that nobody can link back to the visitor once the secret is gone.
public struct SipHash24: Sendable {
    private let k0: UInt64
    private let k1: UInt64

    /// `key` must be 16 bytes (shorter keys are zero-padded, longer ones cut).
    public init(key: [UInt8]) {
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<8 where offset + index < key.count {
                value |= UInt64(key[offset + index]) << (8 * UInt64(index))
            }
            return value
        }
        k0 = word(0)
        k1 = word(8)
    }

    /// The 64-bit hash of `message` under this key.
    public func hash(_ message: [UInt8]) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        @inline(__always) func round() {
            v0 &+= v1; v1 = rotate(v1, 13); v1 ^= v0; v0 = rotate(v0, 32)
            v2 &+= v3; v3 = rotate(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotate(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotate(v1, 17); v1 ^= v2; v2 = rotate(v2, 32)
        }

        let length = message.count
        var index = 0
        while index + 8 <= length {
            var m: UInt64 = 0
            for byte in 0..<8 { m |= UInt64(message[index + byte]) << (8 * UInt64(byte)) }
            v3 ^= m
            round(); round()
            v0 ^= m
            index += 8
        }
        var last = UInt64(truncatingIfNeeded: length) << 56
        for byte in 0..<(length - index) { last |= UInt64(message[index + byte]) << (8 * UInt64(byte)) }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    @inline(__always) private func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }
}
