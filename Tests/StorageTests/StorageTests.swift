import Core
import Foundation
@testable import Storage
import TestSupport
import Testing

/// The storage contract: every test runs against SQLite and against a real PostgreSQL (see
/// `Backend.available`), through the `DataStore` port only, so both engines promise the same.
@Suite struct StorageTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    func store(_ backend: Backend) throws -> any DataStore { try backend.makeStore(in: folder).store }

    func sampleDraft(title: String = "Webinar") throws -> EventDraft {
        try EventDraft(
            title: title, description: "Notes", start: Fixtures.start, end: Fixtures.start.addingTimeInterval(3_600),
            timeZone: "Europe/Warsaw", webinarURL: "https://example.com/w",
            customization: CustomizationOverrides(theme: .dark, providers: [.google, .ics])
        ).validated()
    }

    func organizer(_ database: any DataStore, _ email: String = "a@example.com") throws -> User {
        try database.createUser(email: email, passwordHash: "h", fullName: nil, now: Fixtures.start)
    }

    @Test(arguments: Backend.available)
    func migrationsApplyOnceWithTheSameNamesOnEveryEngine(_ backend: Backend) throws {
        let (database, location) = try backend.makeStore(in: folder)
        let first = try database.appliedMigrations()
        let second = try backend.reopen(location).appliedMigrations()
        #expect(first == second)
        #expect(first == PostgresMigrations.all.map(\.name))
        #expect(first == (try SQLiteStore.inMemory().appliedMigrations()))
    }

    @Test func fileDatabasesUseWAL() throws {
        #expect(try SQLiteStore.open(path: folder.file("a.sqlite")).journalMode() == "wal")
    }

    @Test(arguments: Backend.available)
    func emailsAreUniqueRegardlessOfCase(_ backend: Backend) throws {
        let database = try store(backend)
        _ = try database.createUser(email: "Ann@Example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        #expect(throws: StorageError.emailTaken) {
            try database.createUser(email: "ann@example.COM", passwordHash: "h", fullName: nil, now: Fixtures.start)
        }
        #expect(try database.user(email: "ANN@example.com")?.email == "Ann@Example.com")
        #expect(try database.credentials(email: "ann@example.com")?.passwordHash == "h")
        #expect(try database.user(email: "nobody@example.com") == nil)
    }

    @Test(arguments: Backend.available)
    func sessionsExpireAndCanBeDeleted(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        try database.createSession(userID: user.id, tokenHash: "live", now: Fixtures.start, expiresAt: Fixtures.start.addingTimeInterval(60))
        #expect(try database.user(sessionTokenHash: "live", now: Fixtures.start)?.id == user.id)
        #expect(try database.user(sessionTokenHash: "live", now: Fixtures.start.addingTimeInterval(61)) == nil)
        try database.deleteSession(tokenHash: "live")
        #expect(try database.user(sessionTokenHash: "live", now: Fixtures.start) == nil)
    }

    @Test(arguments: Backend.available)
    func eventsRoundTripWithTheirCustomizationAndHostileText(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let hostile = "<script>alert(1)</script> '; DROP TABLE events; -- \r\n ../../etc 🎉 " + String(repeating: "ż", count: 100)
        let created = try database.createEvent(sampleDraft(title: hostile), userID: user.id, publicID: Fixtures.publicID, now: Fixtures.start)
        let fetched = try #require(try database.event(id: created.id))
        #expect(fetched == created)
        #expect(fetched.title == created.title)
        #expect(fetched.title.contains("DROP TABLE events; --") && fetched.title.contains("🎉"))
        #expect(fetched.customization.theme == .dark)
        #expect(fetched.customization.providers == [.google, .ics])
        #expect(fetched.timeZone == "Europe/Warsaw")
        #expect(try database.event(id: created.id, userID: user.id + 1) == nil)
        #expect(try database.eventExists(publicID: Fixtures.publicID))
    }

    @Test(arguments: Backend.available)
    func updatesBumpTheSequenceAndForeignOrMissingEventsAreNotFound(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let created = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        var moved = try sampleDraft()
        moved.start = moved.start.addingTimeInterval(3_600)
        moved.end = moved.end.addingTimeInterval(3_600)
        let updated = try database.updateEvent(id: created.id, userID: user.id, with: moved, now: Fixtures.start.addingTimeInterval(10))
        #expect(updated.sequence == created.sequence + 1)
        #expect(try database.event(id: created.id) == updated)
        #expect(throws: StorageError.notFound) { try database.updateEvent(id: created.id, userID: user.id + 1, with: moved, now: Fixtures.start) }
        #expect(throws: StorageError.notFound) { try database.deleteEvent(id: created.id + 99, userID: user.id) }
        #expect(try database.deleteEvent(id: created.id, userID: user.id) == updated)
        #expect(try database.event(id: created.id) == nil)
    }

    @Test(arguments: Backend.available)
    func aRevertRestoresOnlyWhenNothingChangedSince(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let original = try database.createEvent(sampleDraft(title: "One"), userID: user.id, publicID: .random(), now: Fixtures.start)
        let second = try database.updateEvent(id: original.id, userID: user.id, with: sampleDraft(title: "Two"), now: Fixtures.start)
        let third = try database.updateEvent(id: original.id, userID: user.id, with: sampleDraft(title: "Three"), now: Fixtures.start)
        #expect(try database.revertEvent(to: original, from: second) == false)
        #expect(try database.event(id: original.id)?.title == "Three")
        #expect(try database.revertEvent(to: second, from: third) == true)
        #expect(try database.event(id: original.id)?.title == "Two")
    }

    @Test(arguments: Backend.available)
    func widgetDefaultsAreReplacedAndRevertedOnlyIfUnchanged(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        #expect(try database.widgetDefaults(userID: user.id) == CustomizationOverrides())
        let polish = CustomizationOverrides(language: .fixed(.pl))
        #expect(try database.setWidgetDefaults(polish, userID: user.id, now: Fixtures.start) == CustomizationOverrides())
        let dark = CustomizationOverrides(theme: .dark)
        #expect(try database.setWidgetDefaults(dark, userID: user.id, now: Fixtures.start) == polish)
        #expect(try database.revertWidgetDefaults(to: CustomizationOverrides(), from: polish, userID: user.id, now: Fixtures.start) == false)
        #expect(try database.revertWidgetDefaults(to: polish, from: dark, userID: user.id, now: Fixtures.start) == true)
        #expect(try database.widgetDefaults(userID: user.id) == polish)
    }

    @Test(arguments: Backend.available)
    func pagesAreNewestFirstWithTheirTotal(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let other = try organizer(database, "b@example.com")
        var ids: [Int64] = []
        for index in 0..<5 {
            ids.append(
                try database.createEvent(sampleDraft(title: "E\(index)"), userID: user.id, publicID: .random(), now: Fixtures.start.addingTimeInterval(Double(index))).id)
        }
        _ = try database.createEvent(sampleDraft(), userID: other.id, publicID: .random(), now: Fixtures.start)
        let page = try database.eventPage(userID: user.id, limit: 2, offset: 1)
        #expect(page.total == 5)
        #expect(page.events.map(\.id) == [ids[3], ids[2]])
        #expect(try database.events(userID: user.id).map(\.id) == ids.reversed())
        #expect(try database.eventKeys(userID: other.id).count == 1)
        #expect(try database.eventKeys().map(\.id) == (try database.eventKeys().map(\.id)).sorted())
    }

    @Test(arguments: Backend.available)
    func publishableEventsCarryTheOrganizerDefaults(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        try database.setWidgetDefaults(CustomizationOverrides(language: .fixed(.pl)), userID: user.id, now: Fixtures.start)
        let event = try database.createEvent(sampleDraft(), userID: user.id, publicID: Fixtures.publicID, now: Fixtures.start)
        let items = try database.publicationSnapshot().items
        #expect(items.count == 1)
        #expect(items[0].settings.language == .pl)
        #expect(items[0].settings.theme == .dark)
        #expect(try database.publishableEvent(id: event.id)?.settings.language == .pl)
        #expect(try database.publishableEvent(publicID: Fixtures.publicID)?.event.id == event.id)
        #expect(try database.publishableEvent(publicID: .random()) == nil)
    }

    @Test(arguments: Backend.available)
    func theChangeLogNamesEveryChangeInOrderAndSaysWhenItWasPrunedPastAReader(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let start = try database.latestLinkChange()
        let a = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        let b = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        _ = try database.updateEvent(id: a.id, userID: user.id, with: sampleDraft(title: "New"), now: Fixtures.start)
        _ = try database.deleteEvent(id: b.id, userID: user.id)
        let changes = try database.linkChanges(after: start)
        #expect(changes.ids == [a.publicID, b.publicID, a.publicID, b.publicID])
        #expect(changes.latest == (try database.latestLinkChange()))
        #expect(!changes.missedSome)
        // The organizer's defaults decide every event's providers: each of their events is named,
        // and their feed (its name and language).
        try database.setWidgetDefaults(CustomizationOverrides(language: .fixed(.pl)), userID: user.id, now: Fixtures.start)
        #expect(try database.linkChanges(after: changes.latest).ids == [a.publicID, user.feedID])
        // Pruning everything (now far ahead) leaves a reader that was behind knowing it missed some.
        let latest = try database.latestLinkChange()
        try database.pruneLinkChanges(olderThan: 0, now: Date().addingTimeInterval(10))
        #expect(try database.linkChanges(after: start).missedSome)
        #expect(!(try database.linkChanges(after: latest).missedSome))
        #expect(try database.latestLinkChange() == latest)
    }

    @Test(arguments: Backend.available)
    func clicksLandInRawRowsAndTheRollupTogetherWithoutClientInfo(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let event = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        let gone = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        _ = try database.deleteEvent(id: gone.id, userID: user.id)
        let hour: Int64 = 2_679_750_000
        var clicks = (0..<450).map { Click(eventID: event.id, type: $0 % 3 == 0 ? .google : .ics, clickedAt: hour + Int64($0 * 16)) }
        clicks.append(Click(eventID: gone.id, type: .google, clickedAt: hour))
        #expect(try database.recordClicks(clicks) == 450)
        #expect(try database.recordClicks([]) == 0)
        #expect(try database.rawClickCount(eventID: event.id) == 450)
        #expect(try database.rollupClickCount(eventID: event.id) == 450)
        #expect(try database.rawClickCount() == 450)
        #expect(try database.storedClientInfoCount() == 0)
        let buckets = try database.clickBuckets(eventID: event.id, from: hour, to: hour + 7_200)
        #expect(buckets.map(\.count).reduce(0, +) == 450)
        #expect(Set(buckets.map(\.bucketStart)) == [hour, hour + 3_600])
        #expect(try database.clickBuckets(eventID: event.id, from: hour, to: hour + 3_600).allSatisfy { $0.bucketStart == hour })
        // An operator who turned client logging on gets it stored.
        try database.recordClicks([Click(eventID: event.id, type: .google, clickedAt: hour, ipAddress: "192.0.2.1", userAgent: nil)])
        #expect(try database.storedClientInfoCount() == 1)
    }

    @Test(arguments: Backend.available)
    func concurrentPartialUpdatesFromSeveralHandlesLoseNothing(_ backend: Backend) throws {
        let (database, location) = try backend.makeStore(in: folder)
        let user = try organizer(database)
        let event = try database.createEvent(sampleDraft(title: "0"), userID: user.id, publicID: .random(), now: Fixtures.start)
        // Two handles = two processes; each increments the title 20 times, read-modify-write.
        let handles = [database, try backend.reopen(location)]
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            do {
                _ = try handles[index % 2].updateEvent(id: event.id, userID: user.id, now: Fixtures.start) { current in
                    var draft = try sampleDraft(title: String(Int(current.title)! + 1))
                    draft.description = current.description
                    return draft
                }
            } catch {
                failures.add()
            }
        }
        #expect(failures.value == 0)
        #expect(try database.event(id: event.id)?.title == "40")
    }

    @Test(arguments: Backend.available)
    func concurrentClickBatchesFromSeveralWritersAllCount(_ backend: Backend) throws {
        let (database, location) = try backend.makeStore(in: folder)
        let user = try organizer(database)
        let event = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        let writers = [database, try backend.reopen(location), try backend.reopen(location)]
        let failures = LockedCounter()
        // Three trackers hammering the same rollup rows.
        DispatchQueue.concurrentPerform(iterations: 30) { index in
            let batch = (0..<200).map { Click(eventID: event.id, type: $0 % 2 == 0 ? .google : .outlook, clickedAt: 2_679_750_000 + Int64($0)) }
            do { try writers[index % 3].recordClicks(batch) } catch { failures.add() }
        }
        #expect(failures.value == 0)
        #expect(try database.rawClickCount(eventID: event.id) == 6_000)
        #expect(try database.rollupClickCount(eventID: event.id) == 6_000)
    }

    @Test(arguments: Backend.available)
    func aDeletedEventTakesItsClicksAlong(_ backend: Backend) throws {
        let database = try store(backend)
        let user = try organizer(database)
        let event = try database.createEvent(sampleDraft(), userID: user.id, publicID: .random(), now: Fixtures.start)
        try database.recordClicks([Click(eventID: event.id, type: .google, clickedAt: 2_679_750_000)])
        _ = try database.deleteEvent(id: event.id, userID: user.id)
        #expect(try database.rawClickCount() == 0)
        #expect(try database.rollupClickCount() == 0)
    }
}

/// A counter for `concurrentPerform` bodies.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
