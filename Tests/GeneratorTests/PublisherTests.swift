@testable import Core
import Foundation
@testable import Storage
import Generator
import Logging
import TestSupport
import Testing

@Suite struct PublisherTests {
    let folder: TemporaryDirectory
    let id = PublicID("AbCdEfGhIjKlMnOpQrStUv")!

    init() throws {
        folder = try TemporaryDirectory()
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: "\(folder.path)/\(relative)").map { String(decoding: $0, as: UTF8.self) }
    }

    func leftovers() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") || $0.contains(".deleted-") }
    }

    @Test func publishesEveryFileAndReplacesThemWhole() throws {
        let publisher = Publisher(root: folder.path)
        try publisher.publish([
            OutputFile(relativePath: SitePaths.widgetHTML(id), contents: Array("v1".utf8)),
            OutputFile(relativePath: SitePaths.calendarFile(id), contents: Array("ics1".utf8)),
        ])
        try publisher.publish([OutputFile(relativePath: SitePaths.widgetHTML(id), contents: Array("v2".utf8))])
        #expect(read(SitePaths.widgetHTML(id)) == "v2")
        #expect(read(SitePaths.calendarFile(id)) == "ics1")
        #expect(try leftovers().isEmpty)
    }

    @Test func aFailedBatchLeavesThePreviousFilesIntact() throws {
        let publisher = Publisher(root: folder.path)
        try publisher.publish([
            OutputFile(relativePath: SitePaths.widgetHTML(id), contents: Array("old widget".utf8)),
            OutputFile(relativePath: SitePaths.calendarFile(id), contents: Array("old ics".utf8)),
        ])
        // A regular file where the batch needs a folder makes the second write fail.
        try publisher.publish([OutputFile(relativePath: "blocker", contents: [1])])
        #expect(throws: Publisher.WriteError.self) {
            try publisher.publish([
                OutputFile(relativePath: SitePaths.widgetHTML(id), contents: Array("new widget".utf8)),
                OutputFile(relativePath: "blocker/inside.ics", contents: Array("new ics".utf8)),
            ])
        }
        #expect(read(SitePaths.widgetHTML(id)) == "old widget")
        #expect(read(SitePaths.calendarFile(id)) == "old ics")
        #expect(try leftovers().isEmpty)
    }

    @Test func removeDeletesBothFoldersOfTheEvent() throws {
        let publisher = Publisher(root: folder.path)
        try publisher.publish([
            OutputFile(relativePath: SitePaths.widgetHTML(id), contents: [1]),
            OutputFile(relativePath: SitePaths.calendarFile(id), contents: [2]),
        ])
        try publisher.remove(id)
        #expect(!FileManager.default.fileExists(atPath: "\(folder.path)/\(SitePaths.widgetDirectory(id))"))
        #expect(!FileManager.default.fileExists(atPath: "\(folder.path)/\(SitePaths.calendarDirectory(id))"))
        try publisher.remove(id)  // removing twice is harmless
        #expect(try leftovers().isEmpty)
    }
}

@Suite struct SiteGeneratorTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    func makeGenerator(_ database: any DataStore) async throws -> SiteGenerator {
        try await GeneratorFixtures.generator(database, out: "\(folder.path)/out")
    }

    @Test func publishAllWritesEveryEventAndPrunesDeletedOnes() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let events = try GeneratorFixtures.createEvents(database, count: 25)
        let generator = try await makeGenerator(database)
        let stale = PublicID("StaleStaleStaleStale")!
        try Publisher(root: "\(folder.path)/out").publish([OutputFile(relativePath: SitePaths.widgetHTML(stale), contents: [1])])

        let report = try generator.publishAll()

        #expect(report.published == 25)
        #expect(report.removed == 1)
        for event in events {
            let ics = try String(contentsOfFile: "\(folder.path)/out/\(SitePaths.calendarFile(event.publicID))", encoding: .utf8)
            #expect(ics.contains("SUMMARY:\(event.title)"))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(folder.path)/out/\(SitePaths.widgetDirectory(stale))"))
    }

    @Test func organizerDefaultsShapeEveryWidget() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let event = try #require(try GeneratorFixtures.createEvents(database, count: 1).first)
        try database.setWidgetDefaults(CustomizationOverrides(language: .fixed(.pl)), userID: event.userID, now: GeneratorFixtures.start)
        try await makeGenerator(database).publish(eventID: event.id)
        let html = try String(contentsOfFile: "\(folder.path)/out/\(SitePaths.widgetHTML(event.publicID))", encoding: .utf8)
        #expect(html.contains("Dodaj do kalendarza"))
    }

    @Test func unknownEventIsAnError() async throws {
        let generator = try await makeGenerator(try Backend.suiteDefault.makeStore(in: folder).store)
        #expect(throws: SiteGenerator.GenerateError.self) { try generator.publish(eventID: 999) }
    }
}

@Suite struct FailedRenderTests {
    @Test func anEventThatCannotBeRenderedKeepsItsPreviousFiles() async throws {
        let folder = try TemporaryDirectory()
        let database = try SQLiteStore.open(path: folder.file("db.sqlite"))
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: GeneratorFixtures.start)
        let draft = try EventDraft(
            title: "Before", start: GeneratorFixtures.start, end: GeneratorFixtures.start.addingTimeInterval(600),
            webinarURL: "https://example.com/w"
        ).validated()
        let event = try database.createEvent(draft, userID: user.id, publicID: .random(), now: GeneratorFixtures.start)
        let generator = SiteGenerator(
            database: database,
            renderer: WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org"),
            publisher: Publisher(root: folder.file("out")), logger: Logger(label: "test"))
        try generator.publish(eventID: event.id)
        let path = folder.file("out/\(SitePaths.widgetHTML(event.publicID))")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        // Damage the row behind the product's back: its settings no longer decode.
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE events SET title = 'After', customization_settings = '{\"theme\": 42}' WHERE id = ?", arguments: [event.id])
        }
        #expect(throws: (any Error).self) { try generator.publish(eventID: event.id) }
        #expect(throws: SiteGenerator.GenerateError.self) { try generator.publishAll() }

        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}
