import Core
import Foundation
import Generator
import Logging
import Storage
import Synchronization
import TestSupport
import Testing

/// A clock the test moves by hand: the generator and the scheduler read it.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ date: Date) { current = Mutex(date) }
    var now: Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
}

/// Feeds and the life cycle through the real generator, templates and files: what a subscriber
/// or a visitor would fetch, read back from `out/`.
@Suite struct FeedPublishingTests {
    let folder: TemporaryDirectory
    let clock = TestClock(GeneratorFixtures.before)

    init() throws {
        folder = try TemporaryDirectory()
    }

    var out: String { folder.file("out") }

    func generator(_ database: any DataStore) async throws -> SiteGenerator {
        let clock = self.clock
        return SiteGenerator(
            database: database, renderer: WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org"),
            publisher: Publisher(root: out), logger: Logger(label: "test"), now: { clock.now })
    }

    func scheduler(_ database: any DataStore, _ generator: SiteGenerator) -> LifecycleScheduler {
        let clock = self.clock
        return LifecycleScheduler(database: database, generator: generator, logger: Logger(label: "test"), now: { clock.now })
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: "\(out)/\(relative)").map { String(decoding: $0, as: UTF8.self) }
    }

    func inode(_ relative: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: "\(out)/\(relative)")[.systemFileNumber] as? Int)
    }

    func setUp(_ database: any DataStore) throws -> (User, Event, Event) {
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: "Ada", now: GeneratorFixtures.start)
        func create(_ title: String, listed: Bool) throws -> Event {
            let draft = try EventDraft(
                title: title, start: GeneratorFixtures.start, end: GeneratorFixtures.start.addingTimeInterval(3_600),
                webinarURL: "https://example.com/\(title)", listed: listed
            ).validated()
            return try database.createEvent(draft, userID: user.id, publicID: .random(), now: GeneratorFixtures.start)
        }
        return (user, try create("listed", listed: true), try create("unlisted", listed: false))
    }

    @Test(arguments: Backend.available)
    func eachEventHasItsFeedAndTheOrganizersFeedListsOnlyListedOnes(_ backend: Backend) async throws {
        let database = try backend.makeStore(in: folder).store
        let (user, listed, unlisted) = try setUp(database)
        let generator = try await generator(database)
        let report = try generator.publishAll()
        #expect(report.published == 2 && report.feeds == 1)

        let own = try #require(read(SitePaths.eventFeed(unlisted.publicID)))
        #expect(own.contains("UID:\(unlisted.publicID.rawValue)@example.org\r\n"))
        #expect(own.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"))
        let feed = try #require(read(SitePaths.organizerFeed(user.feedID)))
        #expect(feed.contains("X-WR-CALNAME:Ada: webinars\r\n"))
        #expect(feed.contains("UID:\(listed.publicID.rawValue)@example.org\r\n"))
        #expect(!feed.contains(unlisted.publicID.rawValue))
        // The download and the feeds name the event with one UID.
        #expect(read(SitePaths.calendarFile(listed.publicID))?.contains("UID:\(listed.publicID.rawValue)@example.org\r\n") == true)
    }

    @Test func republishingWhatDidNotChangeLeavesTheFilesAndTheirValidatorsAlone() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let (user, listed, _) = try setUp(database)
        let generator = try await generator(database)
        try generator.publishAll()
        let feedPath = SitePaths.organizerFeed(user.feedID)
        let before = (try inode(feedPath), try inode(SitePaths.widgetHTML(listed.publicID)))
        try generator.publishAll()
        try generator.sync(eventID: listed.id, publicID: listed.publicID)
        try generator.syncFeed(userID: user.id)
        #expect((try inode(feedPath), try inode(SitePaths.widgetHTML(listed.publicID))) == before)

        _ = try database.updateEvent(id: listed.id, userID: user.id, now: GeneratorFixtures.start) { current in
            var draft = current.draft
            draft.title = "renamed"
            return draft
        }
        try generator.syncFeed(userID: user.id)
        #expect(try inode(feedPath) != before.0)
        #expect(read(feedPath)?.contains("SUMMARY:renamed\r\n") == true)
    }

    @Test(arguments: Backend.available)
    func aDeletedEventKeepsItsCancellationInFeedsUntilTheWindowCloses(_ backend: Backend) async throws {
        let database = try backend.makeStore(in: folder).store
        let (user, listed, _) = try setUp(database)
        let generator = try await generator(database)
        try generator.publishAll()
        _ = try database.deleteEvent(id: listed.id, userID: user.id, tombstoneAt: clock.now)
        let changed = generator.sync(changed: [listed.publicID])
        #expect(changed.isEmpty)

        #expect(read(SitePaths.widgetHTML(listed.publicID)) == nil)
        #expect(read(SitePaths.calendarFile(listed.publicID)) == nil)
        let own = try #require(read(SitePaths.eventFeed(listed.publicID)))
        #expect(own.contains("STATUS:CANCELLED\r\n") && own.contains("SEQUENCE:1\r\n") && own.contains("SUMMARY:Cancelled: listed\r\n"))
        #expect(read(SitePaths.organizerFeed(user.feedID))?.contains("STATUS:CANCELLED\r\n") == true)

        // A rebuild keeps the tombstone's feed: it is not an orphan.
        try generator.publishAll()
        #expect(read(SitePaths.eventFeed(listed.publicID)) == own)

        // Thirty days after the end the scheduler drops it everywhere.
        clock.set(listed.end.addingTimeInterval(Event.feedRetention + 1))
        let report = try scheduler(database, generator).tick()
        #expect(report.purged == 1)
        #expect(read(SitePaths.eventFeed(listed.publicID)) == nil)
        #expect(read(SitePaths.organizerFeed(user.feedID))?.contains(listed.publicID.rawValue) == false)
    }

    @Test(arguments: Backend.available)
    func theSchedulerSwitchesAWidgetToEndedOnceAndARestartMissesNothing(_ backend: Backend) async throws {
        let (database, location) = try backend.makeStore(in: folder)
        let (user, listed, _) = try setUp(database)
        _ = try database.updateEvent(id: listed.id, userID: user.id, now: GeneratorFixtures.start) { current in
            var draft = current.draft
            draft.recordingURL = "https://example.com/recording"
            return draft
        }
        let generator = try await generator(database)
        try generator.publishAll()
        let widget = SitePaths.widgetHTML(listed.publicID)
        #expect(read(widget)?.contains("data-type=\"google\"") == true)
        #expect(try scheduler(database, generator).tick().rendered == 0)

        // The end passes while nobody touches the event; the process restarts in between: a
        // fresh store, generator and scheduler find the work in the database.
        clock.set(listed.end.addingTimeInterval(30))
        let restarted = try backend.reopen(location)
        let fresh = try await self.generator(restarted)
        let report = try scheduler(restarted, fresh).tick()
        #expect(report.rendered == 2)  // both events ended
        let page = try #require(read(widget))
        #expect(page.contains(#"data-state="ended""#))
        #expect(page.contains("https://example.com/recording"))
        #expect(!page.contains("data-type=\"google\""))
        #expect(try scheduler(restarted, fresh).tick().rendered == 0)  // recorded as done
    }

    @Test(arguments: Backend.available)
    func theSchedulerMovesASeriesWidgetOnAfterEachSessionThenSaysEnded(_ backend: Backend) async throws {
        let database = try backend.makeStore(in: folder).store
        let user = try database.createUser(email: "o@example.com", passwordHash: "h", fullName: nil, now: GeneratorFixtures.start)
        let start = GeneratorFixtures.start  // Tuesday 1 December 2054, 15:00 UTC (16:00 in Warsaw)
        let draft = try EventDraft(
            title: "Daily", start: start, end: start.addingTimeInterval(3_600), timeZone: "Europe/Warsaw",
            webinarURL: "https://example.com/d", recurrence: Recurrence(frequency: .daily, end: .count(3))
        ).validated()
        let event = try database.createEvent(draft, userID: user.id, publicID: .random(), now: GeneratorFixtures.before)
        let generator = try await generator(database)
        try generator.publishAll()
        let widget = SitePaths.widgetHTML(event.publicID)
        #expect(read(widget)?.contains("Tuesday, December 1, 2054") == true)
        #expect(read(widget)?.contains(#"<p class="rule">Every day at 16:00, 3 sessions</p>"#) == true)

        clock.set(start.addingTimeInterval(3_600 + 5))  // the first session is over
        #expect(try scheduler(database, generator).tick().rendered == 1)
        #expect(read(widget)?.contains("Wednesday, December 2, 2054") == true)
        #expect(read(widget)?.contains(#"data-state=""#) == false)
        #expect(try scheduler(database, generator).tick().rendered == 0)  // recorded

        clock.set(start.addingTimeInterval(2 * 86_400 + 3_600 + 5))  // the last one too
        #expect(try scheduler(database, generator).tick().rendered >= 1)
        #expect(read(widget)?.contains(#"data-state="ended""#) == true)
        #expect(read(widget)?.contains("Thursday, December 3, 2054") == true)
    }

    /// Edits of one organizer's events race through two generators (as `api` processes sharing
    /// `out/` would): whatever the interleaving, the feed left behind is the one the database
    /// holds last, because each feed write reads the database under the feed's lock.
    @Test(arguments: Backend.available)
    func racingEditsLeaveTheFeedTheDatabaseHoldsLast(_ backend: Backend) async throws {
        let database = try backend.makeStore(in: folder).store
        let events = try GeneratorFixtures.createEvents(database, count: 12)
        let userID = try #require(events.first?.userID)
        let first = try await generator(database)
        let second = try await generator(database)
        try first.publishAll()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, event) in events.enumerated() {
                let writer = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    for round in 0..<5 {
                        _ = try database.updateEvent(id: event.id, userID: userID, now: GeneratorFixtures.start) { current in
                            var draft = current.draft
                            draft.title = "Event \(index) round \(round)"
                            return draft
                        }
                        try writer.sync(eventID: event.id, publicID: event.publicID)
                        try writer.syncFeed(userID: userID)
                    }
                }
            }
            try await group.waitForAll()
        }
        let feed = try #require(try database.organizerFeed(userID: userID, now: clock.now))
        let expected = first.renderer.organizerFeed(feed)
        #expect(read(expected.relativePath) == String(decoding: expected.contents, as: UTF8.self))
        #expect(feed.events.allSatisfy { $0.title.hasSuffix("round 4") })
    }

    @Test func aCancelledEventsFilesAllSaySo() async throws {
        let database = try Backend.suiteDefault.makeStore(in: folder).store
        let (user, listed, _) = try setUp(database)
        try database.setWidgetDefaults(CustomizationOverrides(language: .fixed(.pl)), userID: user.id, now: GeneratorFixtures.start)
        _ = try database.updateEvent(id: listed.id, userID: user.id, now: GeneratorFixtures.start) { current in
            var draft = current.draft
            draft.status = .cancelled
            return draft
        }
        let generator = try await generator(database)
        try generator.publishAll()
        let page = try #require(read(SitePaths.widgetHTML(listed.publicID)))
        #expect(page.contains(#"data-state="cancelled""#) && page.contains("Odwołane"))
        // No add buttons; the view beacon still counts who sees the notice.
        #expect(!page.contains("href=\"/track/"))
        #expect(page.contains("url(\"/track/\(listed.publicID.rawValue)/view\")"))
        let download = try #require(read(SitePaths.calendarFile(listed.publicID)))
        #expect(download.contains("STATUS:CANCELLED\r\n") && download.contains("SUMMARY:Odwołane: listed\r\n"))
        #expect(!download.contains("BEGIN:VALARM"))
        #expect(read(SitePaths.organizerFeed(user.feedID))?.contains("X-WR-CALNAME:Ada: webinary\r\n") == true)
    }
}
