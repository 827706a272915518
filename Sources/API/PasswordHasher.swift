import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt with a SHA-256 pre-hash, run on NIO's blocking thread pool behind a bounded gate.
///
/// bcrypt reads at most 72 bytes, so a long passphrase would silently lose its tail; hashing it
/// first to 44 base64 characters makes every character count. The work (~0.27 s at cost 12) runs
/// off the event loops and Swift's small cooperative pool, so logins never stall other requests.
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A hash of the same cost to verify against when the e-mail is unknown.
    private let dummyHash: String
    private let gate: PasswordWorkGate

    init(cost: UInt8, maximumPending: Int) {
        self.cost = cost
        self.dummyHash = Bcrypt.hash(Self.prehash("attendify-timing-equalizer"), cost: cost)
        self.gate = PasswordWorkGate(capacity: maximumPending)
    }

    static let minimumLength = 8
    /// Long enough for any passphrase, short enough that hashing stays cheap.
    static let maximumLength = 1_024

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await gate.run { try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(Self.prehash(password), cost: cost) } }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await gate.run { try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(Self.prehash(password), hash: hash) } }
    }

    /// Verifies against a fixed hash of the same cost: unknown e-mails take as long as wrong passwords.
    func burnEquivalentTime() async throws {
        _ = try await verify("not the password", hash: dummyHash)
    }

    static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
