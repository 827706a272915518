@testable import Core
import Foundation
import Storage
@testable import Generator
import Logging
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An event's files are one set, and every write to them follows the database under one lock:
/// the reproductions of "deleted events come back", "a batch whose second rename fails leaves a
/// mixed set" and "crash leftovers are never cleaned", each failing on the code before the lock.
@Suite struct PublishDisciplineTests {
    let folder: TemporaryDirectory
    let id = PublicID("AbCdEfGhIjKlMnOpQrStUv")!

    init() throws {
        folder = try TemporaryDirectory()
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: "\(folder.path)/\(relative)").map { String(decoding: $0, as: UTF8.self) }
    }

    func files(_ html: String, _ ics: String) -> [OutputFile] {
        [
            OutputFile(relativePath: SitePaths.widgetHTML(id), contents: Array(html.utf8)),
            OutputFile(relativePath: SitePaths.calendarFile(id), contents: Array(ics.utf8)),
        ]
    }

    func leftovers() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter {
            $0.contains(".tmp-") || $0.contains(".bak-") || $0.contains(".deleted-")
        }
    }

    @Test func aBatchWhoseSecondRenameFailsKeepsTheWholeOldSet() throws {
        try Publisher(root: folder.path).publish(files("old widget", "old ics"))
        // The second rename of the batch fails (as on a filesystem that just went read-only).
        let failing = publisher(failingRename: 2, with: EROFS)
        #expect(throws: Publisher.WriteError.self) { try failing.publish(files("new widget", "new ics")) }
        #expect(read(SitePaths.widgetHTML(id)) == "old widget")
        #expect(read(SitePaths.calendarFile(id)) == "old ics")
        #expect(try leftovers().isEmpty)
    }

    @Test func aFolderInTheWayFailsTheBatchBeforeAnyFileChanges() throws {
        try Publisher(root: "\(folder.path)").publish([OutputFile(relativePath: SitePaths.widgetHTML(id), contents: Array("old".utf8))])
        // Something occupies the .ics path with a folder: the batch must not publish half.
        try FileManager.default.createDirectory(
            atPath: "\(folder.path)/\(SitePaths.calendarFile(id))/inside", withIntermediateDirectories: true)
        #expect(throws: Publisher.WriteError.self) { try Publisher(root: folder.path).publish(files("new", "new ics")) }
        #expect(read(SitePaths.widgetHTML(id)) == "old")
        #expect(try leftovers().isEmpty)
    }

    @Test func aNewFileOfAFailedBatchIsTakenBackToo() throws {
        let failing = publisher(failingRename: 2, with: EIO)
        #expect(throws: Publisher.WriteError.self) { try failing.publish(files("first widget", "first ics")) }
        #expect(read(SitePaths.widgetHTML(id)) == nil)
        #expect(read(SitePaths.calendarFile(id)) == nil)
    }

    @Test func sweepingRemovesWhatACrashLeftBehind() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let generator = try await GeneratorFixtures.generator(database, out: folder.file("out"))
        let out = folder.file("out")
        try Publisher(root: out).publish(files("w", "i").map { OutputFile(relativePath: $0.relativePath, contents: $0.contents) })
        let widgetFolder = "\(out)/\(SitePaths.widgetDirectory(id))"
        FileManager.default.createFile(atPath: "\(widgetFolder)/.tmp-123", contents: Data("half".utf8))
        FileManager.default.createFile(atPath: "\(widgetFolder)/.bak-456", contents: Data("old".utf8))
        try FileManager.default.createDirectory(atPath: "\(widgetFolder).deleted-789", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(widgetFolder).deleted-789/index.html", contents: Data("gone".utf8))

        #expect(generator.sweepLeftovers() == 3)
        let remaining = try FileManager.default.subpathsOfDirectory(atPath: out).filter {
            $0.contains(".tmp-") || $0.contains(".bak-") || $0.contains(".deleted-")
        }
        #expect(remaining.isEmpty, "\(remaining)")
        #expect(FileManager.default.fileExists(atPath: "\(widgetFolder)/index.html"))
    }

    @Test func syncOfADeletedEventRemovesItsFiles() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let generator = try await GeneratorFixtures.generator(database, out: folder.file("out"))
        let event = try GeneratorFixtures.createEvents(database, count: 1)[0]
        #expect(try generator.sync(eventID: event.id, publicID: event.publicID) == .published)
        _ = try database.deleteEvent(id: event.id, userID: event.userID)
        // A publish that arrives after the delete (a PUT that lost the race) must not bring it back.
        #expect(try generator.sync(eventID: event.id, publicID: event.publicID) == .removed)
        #expect(!FileManager.default.fileExists(atPath: folder.file("out/\(SitePaths.widgetDirectory(event.publicID))")))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out/\(SitePaths.calendarDirectory(event.publicID))")))
    }

    /// Full rebuilds racing creates, edits and deletes (as `generate --all` next to the API): the
    /// files end up matching the database: every live event published with its last title, no
    /// deleted event's folder left, nothing created during a rebuild taken for an orphan.
    @Test func rebuildsRacingEditsNeverLeaveFilesBehindTheDatabase() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let generator = try await GeneratorFixtures.generator(database, out: folder.file("out"))
        let seeded = try GeneratorFixtures.createEvents(database, count: 30)
        let userID = seeded[0].userID
        let stop = Atomic(false)
        let rebuilder = Thread {
            while !stop.load(ordering: .relaxed) { _ = try? generator.publishAll() }
        }
        rebuilder.start()
        // Also when a check below throws: a rebuilder left running past the test keeps rendering
        // (libxml2) while the test process exits, which can deadlock in libxml2's cleanup.
        defer { stop.store(true, ordering: .relaxed) }
        var live = Set(seeded.map(\.id))
        for round in 0..<60 {
            let draft = try EventDraft(
                title: "Created \(round)", start: GeneratorFixtures.start, end: GeneratorFixtures.start.addingTimeInterval(600),
                webinarURL: "https://example.com/c\(round)"
            ).validated()
            let created = try database.createEvent(draft, userID: userID, publicID: .random(), now: GeneratorFixtures.start)
            try generator.sync(eventID: created.id, publicID: created.publicID)
            live.insert(created.id)
            let victim = live.sorted()[round % live.count]
            let event = try #require(try database.event(id: victim))
            if round % 2 == 0 {
                _ = try database.deleteEvent(id: victim, userID: userID)
                try generator.sync(eventID: victim, publicID: event.publicID)
                live.remove(victim)
            } else {
                let edited = try database.updateEvent(id: victim, userID: userID, now: GeneratorFixtures.start) { current in
                    try EventDraft(title: "Edited \(round)", start: current.start, end: current.end, webinarURL: current.webinarURL).validated()
                }
                try generator.sync(eventID: edited.id, publicID: edited.publicID)
            }
        }
        stop.store(true, ordering: .relaxed)
        while !rebuilder.isFinished { try await Task.sleep(for: .milliseconds(5)) }

        let out = folder.file("out")
        let liveEvents = try database.events(userID: userID)
        #expect(Set(liveEvents.map(\.id)) == live)
        for event in liveEvents {
            let ics = try String(contentsOfFile: "\(out)/\(SitePaths.calendarFile(event.publicID))", encoding: .utf8)
            #expect(ics.contains("SUMMARY:\(event.title)\r\n"), "event \(event.id) shows an older title")
        }
        let published = Publisher(root: out).publishedIDs()
        #expect(published == Set(liveEvents.map(\.publicID)), "folders of deleted events: \(published.subtracting(liveEvents.map(\.publicID)))")
    }

    /// A publisher whose `n`th rename fails with `code`, as on a filesystem that just went bad.
    func publisher(failingRename n: Int, with code: Int32) -> Publisher {
        let renames = Mutex(0)
        return Publisher(root: folder.path) { from, to in
            let count = renames.withLock { $0 += 1; return $0 }
            guard count != n else {
                errno = code
                return -1
            }
            return rename(from, to)
        }
    }
}
