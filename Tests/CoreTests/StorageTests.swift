import Core
import Foundation
import TestSupport
import Testing

@Suite struct StorageTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    func sampleDraft() throws -> EventDraft {
        try EventDraft(
            title: "Webinar", description: "Notes", start: Fixtures.start, end: Fixtures.start.addingTimeInterval(3_600),
            timeZone: "Europe/Warsaw", webinarURL: "https://example.com/w",
            customization: CustomizationOverrides(theme: .dark, providers: [.google, .ics])
        ).validated()
    }

    @Test func migrationsApplyOnceAndASecondOpenChangesNothing() throws {
        let path = folder.file("db/attendify.sqlite")  // the folder is created too
        let first = try AppDatabase.open(path: path).appliedMigrations()
        let second = try AppDatabase.open(path: path).appliedMigrations()
        #expect(!first.isEmpty)
        #expect(first == second)
    }

    @Test func fileDatabasesUseWAL() throws {
        #expect(try AppDatabase.open(path: folder.file("a.sqlite")).journalMode() == "wal")
    }

    @Test func emailsAreUniqueRegardlessOfCase() throws {
        let database = try AppDatabase.inMemory()
        _ = try database.createUser(email: "Ann@Example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        #expect(throws: StorageError.emailTaken) {
            try database.createUser(email: "ann@example.COM", passwordHash: "h", fullName: nil, now: Fixtures.start)
        }
        #expect(try database.user(email: "ANN@example.com")?.email == "Ann@Example.com")
    }

    @Test func eventsRoundTripWithTheirCustomization() throws {
        let database = try AppDatabase.inMemory()
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: "A", now: Fixtures.start)
        let created = try database.createEvent(sampleDraft(), userID: user.id, publicID: Fixtures.publicID, now: Fixtures.start)
        let fetched = try #require(try database.event(id: created.id))
        #expect(fetched == created)
        #expect(fetched.customization.theme == .dark)
        #expect(fetched.customization.providers == [.google, .ics])
        #expect(fetched.timeZone == "Europe/Warsaw")
    }

    @Test func publishableEventsCarryTheOrganizerDefaults() throws {
        let database = try AppDatabase.inMemory()
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        try database.setWidgetDefaults(CustomizationOverrides(language: .pl), userID: user.id, now: Fixtures.start)
        _ = try database.createEvent(sampleDraft(), userID: user.id, publicID: Fixtures.publicID, now: Fixtures.start)
        let items = try database.publicationSnapshot().items
        #expect(items.count == 1)
        #expect(items[0].settings.language == .pl)
        #expect(items[0].settings.theme == .dark)
    }
}
