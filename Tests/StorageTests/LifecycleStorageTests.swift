import Core
import Foundation
import Storage
import TestSupport
import Testing

/// The life-cycle and feed half of the storage contract, on both engines: status, recording
/// link and listing round-trip; deletion leaves a cancelled tombstone; the organizer's feed holds
/// what its window allows; the scheduler's due list is persistent and follows edits.
@Suite struct LifecycleStorageTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    static let day: TimeInterval = 86_400

    func draft(_ title: String, start: Date = Fixtures.start, listed: Bool = true) throws -> EventDraft {
        try EventDraft(
            title: title, start: start, end: start.addingTimeInterval(3_600), webinarURL: "https://example.com/\(title)",
            listed: listed
        ).validated()
    }

    @Test(arguments: Backend.available)
    func everyOrganizerHasTheirOwnFeedIDAndItNamesThem(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let ann = try database.createUser(email: "ann@example.com", passwordHash: "h", fullName: "Ann", now: Fixtures.start)
        let bob = try database.createUser(email: "bob@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        #expect(ann.feedID != bob.feedID)
        #expect(try database.feedOwner(userID: ann.id) == FeedOwner(userID: ann.id, feedID: ann.feedID, name: "Ann"))
        #expect(try database.feedOwner(publicID: bob.feedID)?.userID == bob.id)
        #expect(try database.user(email: "ann@example.com")?.feedID == ann.feedID)
        #expect(try database.feedOwners().map(\.feedID) == [ann.feedID, bob.feedID])
        let event = try database.createEvent(try draft("a"), userID: ann.id, publicID: .random(), now: Fixtures.start)
        #expect(try database.feedOwner(publicID: event.publicID)?.userID == ann.id)
        #expect(try database.feedOwner(publicID: .random()) == nil)
    }

    @Test(arguments: Backend.available)
    func statusRecordingAndListingRoundTripAndStatusBumpsTheSequence(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        var initial = try draft("a", listed: false)
        initial.recordingURL = "https://example.com/rec"
        let created = try database.createEvent(initial, userID: user.id, publicID: .random(), now: Fixtures.start)
        #expect(created.status == .scheduled && created.recordingURL == "https://example.com/rec" && !created.listed)
        #expect(try database.event(id: created.id) == created)

        let cancelled = try database.updateEvent(id: created.id, userID: user.id, now: Fixtures.start.addingTimeInterval(60)) { current in
            var next = current.draft
            next.status = .cancelled
            return next
        }
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.sequence == created.sequence + 1)
        #expect(try database.event(id: created.id) == cancelled)
        #expect(try database.publishableEvent(publicID: created.publicID)?.event.status == .cancelled)

        let relisted = try database.updateEvent(id: created.id, userID: user.id, now: Fixtures.start.addingTimeInterval(120)) { current in
            var next = current.draft
            next.listed = true
            next.recordingURL = nil
            return next
        }
        #expect(relisted.listed && relisted.recordingURL == nil)
        #expect(relisted.sequence == cancelled.sequence + 1)  // the recording link is shown to attendees
        #expect(try database.events(userID: user.id) == [relisted])
    }

    @Test(arguments: Backend.available)
    func deletingKeepsACancelledTombstoneInTheFeedUntilItsWindowCloses(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: "Ann", now: Fixtures.start)
        let kept = try database.createEvent(try draft("kept"), userID: user.id, publicID: .random(), now: Fixtures.start)
        let hidden = try database.createEvent(try draft("hidden", listed: false), userID: user.id, publicID: .random(), now: Fixtures.start)
        let gone = try database.createEvent(try draft("gone", start: Fixtures.start.addingTimeInterval(Self.day)), userID: user.id,
            publicID: .random(), now: Fixtures.start)
        let deletedAt = Fixtures.start.addingTimeInterval(-Self.day)
        #expect(try database.deleteEvent(id: gone.id, userID: user.id, tombstoneAt: deletedAt) == gone)

        #expect(try database.event(id: gone.id) == nil)
        #expect(try database.publishableEvent(publicID: gone.publicID) == nil)
        let tombstone = try #require(try database.deletedEvent(publicID: gone.publicID))
        #expect(tombstone.event.status == .cancelled)
        #expect(tombstone.event.sequence == gone.sequence + 1)
        #expect(tombstone.event.title == "gone" && tombstone.event.start == gone.start)
        #expect(tombstone.organizer.feedID == user.feedID)
        #expect(try database.deletedEventIDs() == [gone.publicID])
        #expect(try database.feedOwner(publicID: gone.publicID)?.userID == user.id)

        // Before the events: all listed ones, the tombstone included; never the unlisted one.
        let feed = try #require(try database.organizerFeed(userID: user.id, now: Fixtures.start.addingTimeInterval(-2 * Self.day)))
        #expect(feed.owner.feedID == user.feedID)
        #expect(feed.events.map(\.title) == ["kept", "gone"])
        #expect(feed.events.map(\.status) == [.scheduled, .cancelled])
        #expect(!feed.events.contains { $0.id == hidden.id })
        // 30 days after "kept" ended it has left the feed, "gone" (a day later) not yet.
        let later = kept.end.addingTimeInterval(Event.feedRetention + 60)
        #expect(try database.organizerFeed(userID: user.id, now: later)?.events.map(\.title) == ["gone"])

        // Purging is for tombstones whose window closed, and it tells followers.
        #expect(try database.purgeDeletedEvents(now: later).isEmpty)
        let before = try database.latestLinkChange()
        let purged = try database.purgeDeletedEvents(now: gone.end.addingTimeInterval(Event.feedRetention))
        #expect(purged.map(\.publicID) == [gone.publicID] && purged.map(\.userID) == [user.id])
        #expect(try database.deletedEvent(publicID: gone.publicID) == nil)
        let logged = try database.linkChanges(after: before).ids
        #expect(logged.contains(gone.publicID) && logged.contains(user.feedID))
    }

    @Test(arguments: Backend.available)
    func aDefaultsChangeLogsTheOrganizersFeedEvenWithoutEvents(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let before = try database.latestLinkChange()
        try database.setWidgetDefaults(CustomizationOverrides(language: .fixed(.pl)), userID: user.id, now: Fixtures.start)
        try database.setWidgetDefaults(CustomizationOverrides(language: .fixed(.en)), userID: user.id, now: Fixtures.start)
        #expect(try database.linkChanges(after: before).ids == [user.feedID, user.feedID])
        #expect(try database.feedOwner(publicID: user.feedID)?.userID == user.id)
    }

    @Test(arguments: Backend.available)
    func aSeriesRuleRoundTripsAndItsLastSessionDecidesTheFeedWindowAndTheEnd(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        var series = try draft("series")
        let rule = Recurrence(
            frequency: .weekly, byDay: [.init(Recurrence.Weekday(calendarWeekday: Calendar(identifier: .gregorian).component(.weekday, from: Fixtures.start))!)],
            end: .count(10), exdates: [Fixtures.start.addingTimeInterval(7 * Self.day)])
        series.recurrence = rule
        let created = try database.createEvent(try series.validated(), userID: user.id, publicID: .random(), now: Fixtures.start)
        #expect(try database.event(id: created.id)?.recurrence == rule)
        let lastEnd = created.lastEnd
        #expect(lastEnd == created.end.addingTimeInterval(9 * 7 * Self.day))
        // In the feed until 30 days after the last session, not the first.
        #expect(try database.organizerFeed(userID: user.id, now: created.end.addingTimeInterval(Event.feedRetention + 60))?.events.count == 1)
        #expect(try database.organizerFeed(userID: user.id, now: lastEnd.addingTimeInterval(Event.feedRetention + 60))?.events.isEmpty == true)
        // The scheduler: the widget moves on after the first session; "ended" only after the last.
        let afterFirst = try database.lifecycleDue(now: created.end.addingTimeInterval(1), limit: 10)
        #expect(afterFirst.map(\.step) == [.session] && afterFirst.first?.end == created.end)
        try database.markLifecycleDone(afterFirst[0])
        let next = try database.lifecycleDue(now: created.end.addingTimeInterval(14 * Self.day), limit: 10)
        #expect(next.map(\.end) == [created.end.addingTimeInterval(14 * Self.day)])  // the excluded week is skipped
        #expect(try database.lifecycleDue(now: lastEnd, limit: 50).contains { $0.step == .ended && $0.end == lastEnd })
        // A deleted series keeps its rule in the tombstone.
        _ = try database.deleteEvent(id: created.id, userID: user.id, tombstoneAt: Fixtures.start)
        #expect(try database.deletedEvent(publicID: created.publicID)?.event.recurrence == rule)
    }

    @Test(arguments: Backend.available)
    func deletingWithoutATombstoneLeavesNothing(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let event = try database.createEvent(try draft("a"), userID: user.id, publicID: .random(), now: Fixtures.start)
        _ = try database.deleteEvent(id: event.id, userID: user.id)
        #expect(try database.deletedEvent(publicID: event.publicID) == nil)
        #expect(try database.organizerFeed(userID: user.id, now: Fixtures.start)?.events.isEmpty == true)
    }

    @Test(arguments: Backend.available)
    func dueRendersPersistUntilMarkedAndFollowAMovedEnd(_ backend: Backend) throws {
        let (database, location) = try backend.makeStore(in: folder)
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let event = try database.createEvent(try draft("a"), userID: user.id, publicID: .random(), now: Fixtures.start)
        #expect(try database.lifecycleDue(now: Fixtures.start, limit: 10).isEmpty)

        let afterEnd = event.end.addingTimeInterval(1)
        let due = try database.lifecycleDue(now: afterEnd, limit: 10)
        #expect(due == [LifecycleDue(key: EventKey(id: event.id, publicID: event.publicID), userID: user.id, step: .ended, end: event.end)])
        // Persistent: another connection (another process, a restart) sees the same.
        #expect(try backend.reopen(location).lifecycleDue(now: afterEnd, limit: 10) == due)
        let before = try database.latestLinkChange()
        try database.markLifecycleDone(due[0])
        #expect(try database.lifecycleDue(now: afterEnd, limit: 10).isEmpty)
        #expect(try database.linkChanges(after: before).ids == [event.publicID])  // followers re-render too

        // Moving the end makes it due again once the new end passes.
        let moved = try database.updateEvent(id: event.id, userID: user.id, now: afterEnd) { current in
            var next = current.draft
            next.end = current.end.addingTimeInterval(Self.day)
            return next
        }
        #expect(try database.lifecycleDue(now: afterEnd, limit: 10).isEmpty)
        #expect(try database.lifecycleDue(now: moved.end, limit: 10).map(\.end) == [moved.end])

        // Thirty days on, both steps are due; marking one leaves the other.
        let aged = try database.lifecycleDue(now: moved.end.addingTimeInterval(Event.feedRetention), limit: 10)
        #expect(Set(aged.map(\.step)) == [.ended, .agedOut])
        try database.markLifecycleDone(try #require(aged.first { $0.step == .agedOut }))
        #expect(try database.lifecycleDue(now: moved.end.addingTimeInterval(Event.feedRetention), limit: 10).map(\.step) == [.ended])
    }

    @Test(arguments: Backend.available)
    func aMarkForAnOldEndDoesNotCoverTheNewOne(_ backend: Backend) throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "a@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let event = try database.createEvent(try draft("a"), userID: user.id, publicID: .random(), now: Fixtures.start)
        let due = try #require(try database.lifecycleDue(now: event.end, limit: 10).first)
        // An edit lands between the render and its record: the record must not swallow it.
        let moved = try database.updateEvent(id: event.id, userID: user.id, now: event.end) { current in
            var next = current.draft
            next.end = current.end.addingTimeInterval(60)
            return next
        }
        try database.markLifecycleDone(due)
        #expect(try database.lifecycleDue(now: moved.end, limit: 10).map(\.end) == [moved.end])
    }
}
