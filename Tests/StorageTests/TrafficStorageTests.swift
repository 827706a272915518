import Core
import Foundation
import Storage
import TestSupport
import Testing

/// The analytics half of the storage contract, on both engines: placements and their rules,
/// views and clicks into the hourly and daily rollups (always equal to the raw rows), visitor
/// sketches merged by several writers, the daily secrets, and what deleting takes along.
@Suite struct TrafficStorageTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }

    static let hour: Int64 = 3_600
    static let day: Int64 = 86_400
    static let midnight = TrafficTime.dayStart(Fixtures.start.epochSeconds)

    struct Setup {
        var database: any DataStore
        var location: String
        var user: User
        var event: Event
    }

    func setUp(_ backend: Backend) throws -> Setup {
        let (database, location) = try backend.makeStore(in: folder)
        let user = try database.createUser(email: "ann@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        let event = try database.createEvent(
            try EventDraft(title: "Webinar", start: Fixtures.start, end: Fixtures.start.addingTimeInterval(3_600), webinarURL: "https://example.com/w")
                .validated(), userID: user.id, publicID: .random(), now: Fixtures.start)
        return Setup(database: database, location: location, user: user, event: event)
    }

    func window(days: Int64, from start: Int64 = midnight) -> TrafficWindow {
        TrafficWindow(start: start, end: start + days * Self.day, firstDay: TrafficTime.dayStart(start), lastDay: TrafficTime.dayStart(start) + (days - 1) * Self.day)
    }

    @Test(arguments: Backend.available)
    func placementsKeepTheirNamesUniqueAndBounded(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let database = setup.database
        let home = try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "homepage", key: .random(), now: Fixtures.start)
        #expect(home.name == "homepage")
        #expect(throws: StorageError.placementNameTaken) {
            try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "HomePage", key: .random(), now: Fixtures.start)
        }
        let stranger = try database.createUser(email: "bob@example.com", passwordHash: "h", fullName: nil, now: Fixtures.start)
        #expect(throws: StorageError.notFound) {
            try database.createPlacement(eventID: setup.event.id, userID: stranger.id, name: "mine", key: .random(), now: Fixtures.start)
        }
        for index in 1..<Placement.maximumPerEvent {
            _ = try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "p\(index)", key: .random(), now: Fixtures.start)
        }
        #expect(throws: StorageError.placementLimitReached) {
            try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "one too many", key: .random(), now: Fixtures.start)
        }
        let listed = try database.placements(eventID: setup.event.id)
        #expect(listed.count == Placement.maximumPerEvent)
        #expect(listed.first == home)
        #expect(try database.publishableEvent(id: setup.event.id)?.placements == listed)
        #expect(try database.publicationSnapshot().items.first?.placements == listed)
        #expect(try database.deletePlacement(id: home.id, eventID: setup.event.id, userID: stranger.id) == nil)
        #expect(try database.deletePlacement(id: home.id, eventID: setup.event.id, userID: setup.user.id) == home)
        #expect(try database.deletePlacement(id: home.id, eventID: setup.event.id, userID: setup.user.id) == nil)
        // The name is free again.
        _ = try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "homepage", key: .random(), now: Fixtures.start)
    }

    @Test(arguments: Backend.available)
    func placementChangesAreLoggedForFollowers(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let before = try setup.database.latestLinkChange()
        let placement = try setup.database.createPlacement(
            eventID: setup.event.id, userID: setup.user.id, name: "newsletter", key: .random(), now: Fixtures.start)
        let afterCreate = try setup.database.linkChanges(after: before)
        #expect(afterCreate.ids == [setup.event.publicID])
        _ = try setup.database.deletePlacement(id: placement.id, eventID: setup.event.id, userID: setup.user.id)
        #expect(try setup.database.linkChanges(after: afterCreate.latest).ids == [setup.event.publicID])
    }

    @Test(arguments: Backend.available)
    func viewsAndClicksRollUpExactlyAsTheRawRows(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let database = setup.database
        let event = setup.event.id
        let home = try database.createPlacement(eventID: event, userID: setup.user.id, name: "homepage", key: .random(), now: Fixtures.start)
        var views: [Impression] = []
        var clicks: [Click] = []
        // Three days, several hours a day, with and without the placement.
        for offset in stride(from: Int64(0), to: 3 * Self.day, by: 5_000) {
            let at = Self.midnight + offset
            views.append(Impression(eventID: event, placementID: offset % 2 == 0 ? home.id : nil, viewedAt: at, visitorHash: nil))
            if offset % 3 == 0 { clicks.append(Click(eventID: event, type: .google, clickedAt: at, placementID: offset % 2 == 0 ? home.id : nil)) }
        }
        views.append(Impression(eventID: 999_999, placementID: nil, viewedAt: Self.midnight, visitorHash: nil))  // no such event: skipped
        #expect(try database.recordImpressions(views) == views.count - 1)
        #expect(try database.recordClicks(clicks) == clicks.count)
        #expect(try database.rawViewCount(eventID: event) == views.count - 1)
        #expect(try database.rawViewCount() == views.count - 1)

        let buckets = try database.trafficBuckets(eventID: event, from: Self.midnight, to: Self.midnight + 3 * Self.day)
        #expect(buckets.reduce(0) { $0 + $1.views } == views.count - 1)
        #expect(buckets.reduce(0) { $0 + $1.clicks } == clicks.count)
        #expect(buckets.filter { $0.placementID == home.id }.reduce(0) { $0 + $1.views } == views.filter { $0.placementID == home.id }.count)
        #expect(buckets.allSatisfy { $0.bucketStart % Self.hour == 0 })

        // The overview, for UTC whole days and for a zoned window with edges: equal to raw rows.
        for window in [window(days: 3), window(days: 2, from: Self.midnight - 2 * Self.hour), window(days: 1, from: Self.midnight + 5 * Self.hour)] {
            let rolled = try database.trafficTotals(userID: setup.user.id, window: window)
            let raw = try database.trafficTotalsFromRawRows(userID: setup.user.id, window: window)
            #expect(rolled[event]?.views == raw[event]?.views)
            #expect(rolled[event]?.clicks == raw[event]?.clicks)
            #expect((rolled[event]?.views ?? 0) > 0)
        }
        #expect(try database.eventSummaries(userID: setup.user.id).map(\.id) == [event])
        #expect(try database.trafficTotals(userID: setup.user.id, window: window(days: 1, from: Self.midnight + 10 * Self.day)).isEmpty)
    }

    @Test(arguments: Backend.available)
    func placementKeysAreResolvedByTheWriterForTheirOwnEventOnly(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let database = setup.database
        let mine = try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "home", key: .random(), now: Fixtures.start)
        let otherEvent = try database.createEvent(
            try EventDraft(title: "Other", start: Fixtures.start, end: Fixtures.start.addingTimeInterval(60), webinarURL: "https://example.com/o")
                .validated(), userID: setup.user.id, publicID: .random(), now: Fixtures.start)
        let theirs = try database.createPlacement(eventID: otherEvent.id, userID: setup.user.id, name: "home", key: .random(), now: Fixtures.start)
        let event = setup.event.id
        try database.recordImpressions([
            Impression(eventID: event, placementID: nil, placementKey: mine.key.rawValue, viewedAt: Self.midnight, visitorHash: nil),
            Impression(eventID: event, placementID: nil, placementKey: theirs.key.rawValue, viewedAt: Self.midnight, visitorHash: nil),
            Impression(eventID: event, placementID: nil, placementKey: PublicID.random().rawValue, viewedAt: Self.midnight, visitorHash: nil),
        ])
        try database.recordClicks([
            Click(eventID: event, type: .google, clickedAt: Self.midnight, placementKey: mine.key.rawValue),
            Click(eventID: event, type: .google, clickedAt: Self.midnight, placementKey: theirs.key.rawValue),
        ])
        let buckets = try database.trafficBuckets(eventID: event, from: 0, to: .max)
        #expect(buckets.sorted { $0.placementID < $1.placementID } == [
            TrafficBucket(bucketStart: Self.midnight, placementID: 0, views: 2, clicks: 1),
            TrafficBucket(bucketStart: Self.midnight, placementID: mine.id, views: 1, clicks: 1),
        ])
    }

    /// Two stores on one database stand for two tracker processes: each writes its share of the
    /// same day's visitors (some visitors through both), and the day counts each visitor once.
    @Test(arguments: Backend.available)
    func sketchesFromSeveralWritersCountEachVisitorOnce(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let other = try backend.reopen(setup.location)
        let event = setup.event.id
        var hashes = VisitorHashes(seed: 11)
        let visitors = (0..<300).map { _ in hashes.next() }
        var batchesA: [[Impression]] = []
        var batchesB: [[Impression]] = []
        for chunk in stride(from: 0, to: visitors.count, by: 50) {
            let slice = visitors[chunk..<min(chunk + 50, visitors.count)]
            batchesA.append(slice.map { Impression(eventID: event, placementID: nil, viewedAt: Self.midnight + 60, visitorHash: $0) })
            batchesB.append(slice.map { Impression(eventID: event, placementID: nil, viewedAt: Self.midnight + 7_200, visitorHash: $0) })
        }
        // Interleaved from two threads: the merges race on the same sketch row. A failed write
        // shows below as missing raw rows.
        let sides = [(setup.database, batchesA), (other, batchesB)]
        DispatchQueue.concurrentPerform(iterations: 2) { side in
            for batch in sides[side].1 { _ = try? sides[side].0.recordImpressions(batch) }
        }
        // Next day, a third of them again: another day, another count.
        _ = try other.recordImpressions(visitors.prefix(100).map { Impression(eventID: event, placementID: nil, viewedAt: Self.midnight + Self.day, visitorHash: $0) })
        let counts = try setup.database.visitorCounts(eventID: event, firstDay: Self.midnight, lastDay: Self.midnight + Self.day)
        #expect(counts == [Self.midnight: 300, Self.midnight + Self.day: 100])
        #expect(try setup.database.rawViewCount(eventID: event) == 700)
        let totals = try setup.database.trafficTotals(userID: setup.user.id, window: window(days: 2))
        #expect(totals[event] == TrafficTotals(views: 700, clicks: 0, uniqueVisitors: 400))
    }

    @Test(arguments: Backend.available)
    func everyWriterGetsTheSameDailySecretAndOldOnesAreDestroyed(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let other = try backend.reopen(setup.location)
        let today = Self.midnight
        let mine = try setup.database.visitorSecrets(candidates: [today: Array(repeating: 1, count: 16), today + Self.day: Array(repeating: 2, count: 16)], destroyBefore: today)
        let theirs = try other.visitorSecrets(candidates: [today: Array(repeating: 9, count: 16), today + Self.day: Array(repeating: 8, count: 16)], destroyBefore: today)
        #expect(mine == theirs)
        #expect(mine[today] == Array(repeating: 1, count: 16))
        // The next day: yesterday's secret is gone for everyone, and cannot come back.
        let tomorrow = try other.visitorSecrets(candidates: [today + Self.day: Array(repeating: 7, count: 16)], destroyBefore: today + Self.day)
        #expect(tomorrow == [today + Self.day: Array(repeating: 2, count: 16)])
        let again = try setup.database.visitorSecrets(candidates: [today: Array(repeating: 5, count: 16)], destroyBefore: today + Self.day)
        #expect(again.isEmpty)
        try setup.database.destroyVisitorSecrets(before: today + 2 * Self.day)
        #expect(try other.visitorSecrets(candidates: [:], destroyBefore: 0).isEmpty)
    }

    @Test(arguments: Backend.available)
    func deletingAnEventTakesItsTrafficAlong(_ backend: Backend) throws {
        let setup = try setUp(backend)
        let database = setup.database
        let placement = try database.createPlacement(eventID: setup.event.id, userID: setup.user.id, name: "home", key: .random(), now: Fixtures.start)
        try database.recordImpressions([Impression(eventID: setup.event.id, placementID: placement.id, viewedAt: Self.midnight, visitorHash: 42)])
        try database.recordClicks([Click(eventID: setup.event.id, type: .ics, clickedAt: Self.midnight, placementID: placement.id)])
        // A deleted placement's traffic stays in the event's numbers.
        _ = try database.deletePlacement(id: placement.id, eventID: setup.event.id, userID: setup.user.id)
        #expect(try database.trafficTotals(userID: setup.user.id, window: window(days: 1))[setup.event.id] == TrafficTotals(views: 1, clicks: 1, uniqueVisitors: 1))
        _ = try database.deleteEvent(id: setup.event.id, userID: setup.user.id)
        #expect(try database.rawViewCount() == 0)
        #expect(try database.trafficBuckets(eventID: setup.event.id, from: 0, to: .max).isEmpty)
        #expect(try database.visitorCounts(eventID: setup.event.id, firstDay: 0, lastDay: .max).isEmpty)
        #expect(try database.placements(eventID: setup.event.id).isEmpty)
    }
}
