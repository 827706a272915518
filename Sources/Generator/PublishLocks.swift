import Core
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one lock discipline for an event's files: every publish, removal and leftover sweep of an
/// event holds its lock, across threads *and processes* (`api`, `serve`, `generate` may all write
/// the same `out/`). Whoever holds the lock reads the database inside it, so the last writer
/// always wrote what the database holds last, and a removal can never interleave with a publish.
///
/// 64 stripes keyed by a stable hash of the public id (every process must pick the same stripe),
/// each an `flock(2)` on `out/.locks/NN.lock`. A fresh descriptor per acquisition: flock locks
/// belong to the open file description, so two threads of one process exclude each other too.
/// The kernel drops the lock when its holder dies, so a SIGKILL never leaves an event stuck.
final class PublishLocks: Sendable {
    static let stripes = 64
    let folder: String

    init(root: String) {
        folder = "\(root)/.locks"
    }

    func withLock<T>(_ id: PublicID, _ body: () throws -> T) throws -> T {
        let path = "\(folder)/\(Self.stripe(of: id)).lock"
        var descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == ENOENT {
            try Publisher.makeDirectory(folder)
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw Publisher.WriteError(path: path, operation: "open", code: errno) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw Publisher.WriteError(path: path, operation: "flock", code: errno) }
        }
        return try body()
    }

    /// FNV-1a of the id's bytes: the same stripe in every process (Swift's `Hasher` is seeded per process).
    static func stripe(of id: PublicID) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.rawValue.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(stripes))
    }
}
