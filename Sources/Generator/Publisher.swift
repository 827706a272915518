import Core
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writing half of the generator: puts rendered files under the output root so that a reader
/// (Nginx, `attendify serve`) only ever sees a whole old file or a whole new one, and an event's
/// files as one set: all from the old render or all from the new one.
///
/// Every file of a batch is first written to a temporary name in its final folder (same
/// filesystem), and the file it replaces is kept under a hard-linked backup name. Only when all
/// writes succeeded are the temporaries `rename(2)`d into place; if one rename fails, the ones
/// already done are undone from the backups. Temporaries and backups start with a dot and never
/// match a public id, so neither Nginx nor `serve` can hand them out; after a crash
/// `SiteGenerator.publishAll` sweeps them away.
///
/// Locking is not this type's business: `SiteGenerator` calls it under the event's lock.
public struct Publisher: Sendable {
    public let root: String
    /// `rename(2)`, replaceable by tests that must make one rename of a batch fail.
    let renameFile: @Sendable (String, String) -> Int32

    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var code: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
        /// The filesystem is full (or over quota): the operator must free space.
        public var isOutOfSpace: Bool { code == ENOSPC || code == EDQUOT }
    }

    public init(root: String) {
        self.init(root: root, renameFile: { rename($0, $1) })
    }

    init(root: String, renameFile: @escaping @Sendable (String, String) -> Int32) {
        self.root = root
        self.renameFile = renameFile
    }

    /// Name prefixes of the files a publish in progress (or a crashed one) leaves in an event folder.
    static let temporaryPrefix = ".tmp-"
    static let backupPrefix = ".bak-"
    /// Infix of an event folder renamed away for removal.
    static let removedInfix = ".deleted-"

    private struct Staged {
        var temporary: String
        var final: String
        var backup: String?
    }

    /// Files whose bytes are already in place are left alone: their ETag stays, so a polling
    /// subscriber gets a 304, and a rebuild of an unchanged site writes next to nothing.
    public func publish(_ files: [OutputFile]) throws {
        let files = files.filter { !Self.holds("\(root)/\($0.relativePath)", $0.contents) }
        guard !files.isEmpty else { return }
        var staged: [Staged] = []
        func discardTemporaries() {
            for entry in staged {
                unlink(entry.temporary)
                if let backup = entry.backup { unlink(backup) }
            }
        }
        do {
            for file in files {
                let final = "\(root)/\(file.relativePath)"
                let folder = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
                try Self.makeDirectory(folder)
                var entry = Staged(temporary: "\(folder)/\(Self.temporaryPrefix)\(Self.randomSuffix())", final: final)
                staged.append(entry)
                try write(file.contents, to: entry.temporary)
                let backup = "\(folder)/\(Self.backupPrefix)\(Self.randomSuffix())"
                if link(final, backup) == 0 {
                    entry.backup = backup
                    staged[staged.count - 1] = entry
                } else if errno != ENOENT {
                    throw WriteError(path: final, operation: "link", code: errno)
                }
            }
        } catch {
            discardTemporaries()
            throw error
        }
        for (index, entry) in staged.enumerated() where renameFile(entry.temporary, entry.final) != 0 {
            let code = errno
            // Put back what the earlier renames replaced, newest first: the set stays the old one.
            for done in staged[..<index].reversed() {
                if let backup = done.backup { _ = renameFile(backup, done.final) } else { unlink(done.final) }
            }
            discardTemporaries()
            throw WriteError(path: entry.final, operation: "rename", code: code)
        }
        for entry in staged { if let backup = entry.backup { unlink(backup) } }
    }

    /// Removes every file of an event. Each folder is first renamed away, so it vanishes at once.
    public func remove(_ id: PublicID) throws {
        for folder in [SitePaths.widgetDirectory(id), SitePaths.pageDirectory(id), SitePaths.calendarDirectory(id)] {
            try removeTree("\(root)/\(folder)")
        }
    }

    /// Removes the widget folders of an event's placements that are no longer in `keeping` (a
    /// deleted placement's widget answers 404 at once).
    public func removePlacements(of id: PublicID, keeping: Set<PublicID>) throws {
        let folder = "\(root)/\(SitePaths.widgetDirectory(id))"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard let key = PublicID(name), !keeping.contains(key) else { continue }
            try removeTree("\(folder)/\(name)")
        }
    }

    /// Removes the language variants (`index.de.html`…) of an event's pages that the latest render
    /// did not write: a widget that stopped following the visitor's language keeps only `index.html`.
    public func removeStaleVariants(of id: PublicID, keeping published: [OutputFile]) throws {
        let kept = Set(published.map { "\(root)/\($0.relativePath)" })
        var folders = ["\(root)/\(SitePaths.widgetDirectory(id))", "\(root)/\(SitePaths.pageDirectory(id))"]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folders[0])) ?? [] where PublicID(name) != nil {
            folders.append("\(folders[0])/\(name)")
        }
        for folder in folders {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where SitePaths.isVariantFile(name) {
                let path = "\(folder)/\(name)"
                if !kept.contains(path) && unlink(path) != 0 && errno != ENOENT {
                    throw WriteError(path: path, operation: "unlink", code: errno)
                }
            }
        }
    }

    /// Removes a deleted event's widget, page and download, keeping its feed (published first).
    public func removeAllButFeed(_ id: PublicID) throws {
        try removeTree("\(root)/\(SitePaths.widgetDirectory(id))")
        try removeTree("\(root)/\(SitePaths.pageDirectory(id))")
        let download = "\(root)/\(SitePaths.calendarFile(id))"
        if unlink(download) != 0 && errno != ENOENT { throw WriteError(path: download, operation: "unlink", code: errno) }
    }

    /// Removes an organizer's feed folder.
    public func removeFeed(_ feedID: PublicID) throws {
        try removeTree("\(root)/\(SitePaths.organizerFeedDirectory(feedID))")
    }

    /// Feed ids that have a folder under `feed/` (for pruning organizers who are gone).
    public func publishedFeedIDs() -> Set<PublicID> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(SitePaths.feedRoot)")) ?? []
        return Set(names.compactMap { PublicID($0) })
    }

    /// True when `path` is a regular file holding exactly `bytes` (size compared first: cheap).
    static func holds(_ path: String, _ bytes: [UInt8]) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == bytes.count else { return false }
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return data.elementsEqual(bytes)
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

    /// What an interrupted publish or removal left behind, with the event it belongs to: temporary
    /// and backup files inside event folders, and folders renamed away for removal.
    public func leftovers() -> [(id: PublicID, path: String)] {
        var found: [(id: PublicID, path: String)] = []
        for parent in SitePaths.eventRoots + [SitePaths.feedRoot] {
            let folder = "\(root)/\(parent)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                if let range = name.range(of: Self.removedInfix), let id = PublicID(String(name[..<range.lowerBound])) {
                    found.append((id, "\(folder)/\(name)"))
                } else if let id = PublicID(name) {
                    for file in (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(name)")) ?? [] {
                        let path = "\(folder)/\(name)/\(file)"
                        if file.hasPrefix(Self.temporaryPrefix) || file.hasPrefix(Self.backupPrefix) || file.contains(Self.removedInfix) {
                            found.append((id, path))
                        } else if PublicID(file) != nil {
                            // A placement's widget folder: the same leftovers, one level down.
                            for inner in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                            where inner.hasPrefix(Self.temporaryPrefix) || inner.hasPrefix(Self.backupPrefix) {
                                found.append((id, "\(path)/\(inner)"))
                            }
                        }
                    }
                }
            }
        }
        return found
    }

    /// Deletes one leftover found by `leftovers()`; call it under the event's lock.
    public func removeLeftover(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    private func removeTree(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let trash = "\(path)\(Self.removedInfix)\(Self.randomSuffix())"
        guard renameFile(path, trash) == 0 else { throw WriteError(path: path, operation: "rename", code: errno) }
        try FileManager.default.removeItem(atPath: trash)
    }

    private static func randomSuffix() -> String { String(UInt64.random(in: 0...UInt64.max)) }

    static func makeDirectory(_ path: String) throws {
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
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                throw WriteError(path: path, operation: "write", code: code)
            }
            offset += written
        }
        // close(2) can report a deferred write error (NFS, some full filesystems).
        if close(descriptor) != 0 { throw WriteError(path: path, operation: "close", code: errno) }
    }
}
