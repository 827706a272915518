import Core
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writing half of the generator: puts rendered files under the output root so that a reader
/// (Nginx, `attendify serve`) only ever sees a whole old file or a whole new one.
///
/// Every file of a batch is first written to a temporary name in its final folder (same
/// filesystem), and only when all writes succeeded are they `rename(2)`d into place. A failure
/// before that point removes the temporaries and leaves the published files untouched.
public struct Publisher: Sendable {
    public let root: String

    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var code: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    public init(root: String) {
        self.root = root
    }

    public func publish(_ files: [OutputFile]) throws {
        var staged: [(temporary: String, final: String)] = []
        do {
            for file in files {
                let final = "\(root)/\(file.relativePath)"
                let folder = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
                try makeDirectory(folder)
                let temporary = "\(folder)/.tmp-\(UInt64.random(in: 0...UInt64.max))"
                staged.append((temporary, final))
                try write(file.contents, to: temporary)
            }
        } catch {
            for entry in staged { unlink(entry.temporary) }
            throw error
        }
        for entry in staged where rename(entry.temporary, entry.final) != 0 {
            let code = errno
            for remaining in staged { unlink(remaining.temporary) }
            throw WriteError(path: entry.final, operation: "rename", code: code)
        }
    }

    /// Removes every file of an event. Each folder is first renamed away, so it vanishes at once.
    public func remove(_ id: PublicID) throws {
        for folder in [SitePaths.widgetDirectory(id), SitePaths.calendarDirectory(id)] {
            try removeTree("\(root)/\(folder)")
        }
    }

    /// Public ids that have a folder under the output root (for pruning deleted events).
    public func publishedIDs() -> Set<PublicID> {
        var ids = Set<PublicID>()
        for parent in SitePaths.eventRoots {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(parent)")) ?? []
            ids.formUnion(names.compactMap { PublicID($0) })
        }
        return ids
    }

    private func removeTree(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let trash = "\(path).deleted-\(UInt64.random(in: 0...UInt64.max))"
        guard rename(path, trash) == 0 else { throw WriteError(path: path, operation: "rename", code: errno) }
        try FileManager.default.removeItem(atPath: trash)
    }

    private func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let parent = path.lastIndex(of: "/").map({ String(path[..<$0]) }), !parent.isEmpty else {
            throw WriteError(path: path, operation: "mkdir", code: errno)
        }
        try makeDirectory(parent)
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw WriteError(path: path, operation: "mkdir", code: errno) }
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, operation: "open", code: errno) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }
}
