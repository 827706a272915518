import Core
import Foundation
import TestSupport
import Testing

@Suite struct SipHashTests {
    /// The reference vectors of the SipHash paper (key 00..0f, message 00..(n-1)).
    @Test func matchesTheReferenceVectors() {
        let hash = SipHash24(key: Array(0..<16))
        #expect(hash.hash([]) == 0x726f_db47_dd0e_0e31)
        #expect(hash.hash(Array(0..<15)) == 0xa129_ca61_49be_45e5)
        #expect(hash.hash(Array(0..<8)) == 0x93f5_f579_9a93_2462)
    }

    @Test func anotherKeyGivesAnotherHash() {
        let message = Array("203.0.113.7\u{0}Mozilla/5.0".utf8)
        #expect(SipHash24(key: Array(0..<16)).hash(message) != SipHash24(key: Array(1...16)).hash(message))
    }
}

@Suite struct VisitorHasherTests {
    @Test func hashesOnlyDaysWhoseSecretIsHeldAndSeparatesEvents() {
        let hasher = VisitorHasher()
        let day = TrafficTime.dayStart(Fixtures.start.epochSeconds)
        #expect(hasher.hash(address: "203.0.113.7", userAgent: "UA", eventID: 1, at: day) == nil)
        hasher.install([day: VisitorHasher.newSecret()])
        let first = hasher.hash(address: "203.0.113.7", userAgent: "UA", eventID: 1, at: day + 10)
        #expect(first != nil)
        #expect(first == hasher.hash(address: "203.0.113.7", userAgent: "UA", eventID: 1, at: day + 86_399))
        #expect(first != hasher.hash(address: "203.0.113.7", userAgent: "UA", eventID: 2, at: day + 10))
        #expect(first != hasher.hash(address: "203.0.113.8", userAgent: "UA", eventID: 1, at: day + 10))
        // The next day has no secret yet: no visitor hash, however the address repeats.
        #expect(hasher.hash(address: "203.0.113.7", userAgent: "UA", eventID: 1, at: day + 86_400) == nil)
        hasher.install([day + 86_400: VisitorHasher.newSecret()])
        #expect(hasher.days == [day + 86_400])
        #expect(hasher.hash(address: "203.0.113.7", userAgent: "UA", eventID: 1, at: day + 10) == nil)
    }
}

@Suite struct VisitorSketchTests {
    static func bound(_ count: Int) -> Int { Int((Double(count) * 0.05).rounded(.up)) + 1 }

    @Test(arguments: [0, 1, 2, 50, 200, 1_000, 1_025, 3_000, 10_000, 50_000, 200_000])
    func staysWithinTheDocumentedBound(_ count: Int) {
        for seed in UInt64(1)...3 {
            var hashes = VisitorHashes(seed: seed &* UInt64(count + 7))
            var sketch = VisitorSketch()
            for _ in 0..<count {
                let hash = hashes.next()
                sketch.add(hash: hash)
                sketch.add(hash: hash)  // a visitor coming back is one visitor
            }
            #expect(abs(sketch.estimate - count) <= Self.bound(count), "\(count) visitors estimated as \(sketch.estimate)")
        }
    }

    @Test func smallDaysAreCountedExactly() {
        var hashes = VisitorHashes(seed: 42)
        var sketch = VisitorSketch()
        for count in 1...1_000 {
            sketch.add(hash: hashes.next())
            #expect(sketch.estimate == count)
        }
    }

    /// Two trackers each see part of the visitors, some of them both: the merged sketches count
    /// the union, whatever the order of merging, in sparse and dense form.
    @Test(arguments: [300, 5_000])
    func mergingCountsTheUnionInAnyOrder(_ count: Int) {
        var hashes = VisitorHashes(seed: UInt64(count))
        let visitors = (0..<count).map { _ in hashes.next() }
        var a = VisitorSketch()
        var b = VisitorSketch()
        var whole = VisitorSketch()
        for (index, hash) in visitors.enumerated() {
            whole.add(hash: hash)
            if index % 3 != 0 { a.add(hash: hash) }
            if index % 3 != 1 { b.add(hash: hash) }
        }
        var ab = a
        ab.merge(b)
        var ba = b
        ba.merge(a)
        #expect(ab.estimate == ba.estimate)
        #expect(ab.estimate == whole.estimate)
        #expect(abs(ab.estimate - count) <= Self.bound(count))
    }

    @Test(arguments: [0, 10, 2_000])
    func survivesItsStoredForm(_ count: Int) throws {
        var hashes = VisitorHashes(seed: 7)
        var sketch = VisitorSketch()
        for _ in 0..<count { sketch.add(hash: hashes.next()) }
        let decoded = try #require(VisitorSketch(encoded: sketch.encoded))
        #expect(decoded.estimate == sketch.estimate)
        #expect(decoded.encoded == sketch.encoded)
        // Never bigger than the dense form.
        #expect(sketch.encoded.count <= VisitorSketch.registerCount + 1)
    }

    @Test func refusesBytesThatAreNotASketch() {
        #expect(VisitorSketch(encoded: []) == nil)
        #expect(VisitorSketch(encoded: [9, 1, 2, 3]) == nil)
        #expect(VisitorSketch(encoded: [1, 0, 0]) == nil)
        #expect(VisitorSketch(encoded: [1, 0, 0, 0, 0]) == nil)  // a zero register is never stored
        #expect(VisitorSketch(encoded: [2] + [UInt8](repeating: 0, count: 10)) == nil)
        #expect(VisitorSketch(encoded: [2] + [UInt8](repeating: 99, count: VisitorSketch.registerCount)) == nil)
    }
}

@Suite struct TrafficWindowTests {
    static let day: Int64 = 86_400
    static let midnight = TrafficTime.dayStart(Fixtures.start.epochSeconds)

    @Test func utcRangesAreWholeDays() {
        let window = TrafficWindow(start: Self.midnight, end: Self.midnight + 30 * Self.day, firstDay: Self.midnight, lastDay: Self.midnight + 29 * Self.day)
        #expect(window.split.days == Self.midnight..<(Self.midnight + 30 * Self.day))
        #expect(window.split.hours.isEmpty)
    }

    @Test func zonedRangesAddTheHoursAtEitherEdge() {
        // Warsaw in winter: local midnight is 23:00 UTC the day before.
        let start = Self.midnight - 3_600
        let window = TrafficWindow(start: start, end: start + 3 * Self.day, firstDay: Self.midnight, lastDay: Self.midnight + 2 * Self.day)
        #expect(window.split.days == Self.midnight..<(Self.midnight + 2 * Self.day))
        #expect(window.split.hours == [start..<Self.midnight, (Self.midnight + 2 * Self.day)..<(start + 3 * Self.day)])
        let covered = window.split.days.count + window.split.hours.reduce(0) { $0 + $1.count }
        #expect(Int64(covered) == window.end - window.start)
    }

    @Test func aRangeInsideOneUTCDayIsAllHours() {
        let window = TrafficWindow(start: Self.midnight + 3_600, end: Self.midnight + 5 * 3_600, firstDay: Self.midnight, lastDay: Self.midnight)
        #expect(window.split.days.isEmpty)
        #expect(window.split.hours == [(Self.midnight + 3_600)..<(Self.midnight + 5 * 3_600)])
    }
}

@Suite struct TrafficStatisticsTests {
    @Test func foldsHoursIntoLocalDaysAndPlacements() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Warsaw"))
        let range = try ClickStatistics.range(from: "2054-01-10", to: "2054-01-11", zone: zone, today: Fixtures.start)
        let days = ClickStatistics.DayBoundaries(range: range)
        #expect(days.dates == ["2054-01-10", "2054-01-11"])
        let homepage = Placement(id: 5, eventID: 1, key: PublicID.random(), name: "homepage", createdAt: Fixtures.start)
        let idle = Placement(id: 6, eventID: 1, key: PublicID.random(), name: "idle", createdAt: Fixtures.start)
        let first = days.starts[0]
        let statistics = TrafficStatistics(
            buckets: [
                TrafficBucket(bucketStart: first, placementID: 0, views: 10, clicks: 1),
                TrafficBucket(bucketStart: first + 3_600, placementID: 5, views: 30, clicks: 3),
                TrafficBucket(bucketStart: days.starts[1] + 7_200, placementID: 5, views: 60, clicks: 0),
                TrafficBucket(bucketStart: first - 3_600, placementID: 0, views: 999, clicks: 9),  // before the range
                TrafficBucket(bucketStart: days.starts[2], placementID: 9, views: 999, clicks: 9),  // after it
            ],
            visitors: [days.utcDayStarts[0]: 25, days.utcDayStarts[1]: 40], placements: [homepage, idle], range: range)
        #expect(statistics.views == 100)
        #expect(statistics.uniqueVisitors == 65)
        #expect(statistics.timeline.map(\.views) == [40, 60])
        #expect(statistics.timeline.map(\.clicks) == [4, 0])
        #expect(statistics.timeline.map(\.conversionRate) == [0.1, 0])
        #expect(statistics.byPlacement["homepage"] == .init(views: 90, clicks: 3))
        #expect(statistics.byPlacement["homepage"]?.conversionRate == 0.0333)
        #expect(statistics.byPlacement["idle"] == .init(views: 0, clicks: 0))
        #expect(statistics.byPlacement["idle"]?.conversionRate == nil)
    }

    @Test func conversionIsClicksPerViewAndUndefinedWithoutViews() {
        #expect(ConversionRate.of(clicks: 100, views: 1_000) == 0.1)
        #expect(ConversionRate.of(clicks: 1, views: 3) == 0.3333)
        #expect(ConversionRate.of(clicks: 5, views: 0) == nil)
    }
}

@Suite struct StatsOverviewTests {
    static func event(_ id: Int64, _ title: String, start: Int64 = 0) -> EventSummary {
        EventSummary(id: id, publicID: PublicID.random(), title: title, start: Fixtures.start.addingTimeInterval(Double(start)), status: .scheduled)
    }

    let events = [event(1, "beta", start: 30), event(2, "Alpha", start: 10), event(3, "gamma", start: 20), event(4, "delta", start: 40)]
    let traffic: [Int64: TrafficTotals] = [
        1: TrafficTotals(views: 100, clicks: 10, uniqueVisitors: 80),
        2: TrafficTotals(views: 300, clicks: 3, uniqueVisitors: 200),
        3: TrafficTotals(views: 100, clicks: 50, uniqueVisitors: 90),
    ]

    func ids(_ sort: StatsOverview.SortKey, _ order: StatsOverview.Order, limit: Int = 10, offset: Int = 0) -> [Int64] {
        StatsOverview(events: events, traffic: traffic, sort: sort, order: order, limit: limit, offset: offset).rows.map(\.event.id)
    }

    @Test func ranksEveryEventWithTiesToTheNewest() {
        #expect(ids(.views, .desc) == [2, 3, 1, 4])
        #expect(ids(.views, .asc) == [4, 3, 1, 2])
        #expect(ids(.clicks, .desc) == [3, 1, 2, 4])
        #expect(ids(.uniqueVisitors, .asc) == [4, 1, 3, 2])
        #expect(ids(.title, .asc) == [2, 1, 4, 3])
        #expect(ids(.start, .desc) == [4, 1, 3, 2])
    }

    @Test func eventsWithoutViewsComeLastByConversion() {
        #expect(ids(.conversionRate, .desc) == [3, 1, 2, 4])
        #expect(ids(.conversionRate, .asc) == [2, 1, 3, 4])
    }

    @Test func pagesAreSlicesOfOneOrderAndTotalsCoverAll() {
        let overview = StatsOverview(events: events, traffic: traffic, sort: .views, order: .desc, limit: 2, offset: 1)
        #expect(overview.rows.map(\.event.id) == [3, 1])
        #expect(overview.totalEvents == 4)
        #expect(overview.totals == TrafficTotals(views: 500, clicks: 63, uniqueVisitors: 370))
        #expect(ids(.views, .desc, limit: 2, offset: 0) + ids(.views, .desc, limit: 2, offset: 2) == ids(.views, .desc))
        #expect(ids(.views, .desc, limit: 5, offset: 10).isEmpty)
    }
}

@Suite struct PlacementNameTests {
    @Test(arguments: ["homepage", "  newsletter June  ", "Partner – Łódź", "Launch 🚀", "👩‍💻 devs", String(repeating: "x", count: 80)])
    func acceptsNames(_ name: String) throws {
        #expect(try Placement.validatedName(name) == name.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(arguments: ["", "   ", "a\nb", "a\r\nb", "tab\there", "bidi\u{202E}txt", "nul\u{0}", String(repeating: "x", count: 81)])
    func refusesNames(_ name: String) {
        #expect(throws: ValidationFailure.self) { try Placement.validatedName(name) }
    }
}
