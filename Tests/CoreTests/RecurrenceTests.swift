import Core
import Foundation
import TestSupport
import Testing

/// The series rules: expansion in the event's zone across offset changes, the monthly forms,
/// the limits and checks, the RRULE text, the words and the VTIMEZONE.
@Suite struct RecurrenceTests {
    let warsaw = TimeZone(identifier: "Europe/Warsaw")!

    func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func aWeeklySeriesKeepsItsWallClockTimeAcrossTheSpringChange() {
        // Tuesdays 10:00 Warsaw from 2027-03-09: 09:00 UTC until the 28 March change, 08:00 after.
        let rule = Recurrence(frequency: .weekly, byDay: [.init(.TU)], end: .count(5), exdates: [utc("2027-03-16T09:00:00Z")])
        let starts = rule.occurrences(start: utc("2027-03-09T09:00:00Z"), duration: 3_600, zone: warsaw).map(\.start)
        #expect(starts == ["2027-03-09T09:00:00Z", "2027-03-23T09:00:00Z", "2027-03-30T08:00:00Z", "2027-04-06T08:00:00Z"].map(utc))
    }

    @Test func weeklyDaysIntervalsAndUntil() {
        let rule = Recurrence(frequency: .weekly, interval: 2, byDay: [.init(.TH), .init(.TU)], end: .until(utc("2027-02-04T12:00:00Z")))
        let starts = rule.occurrences(start: utc("2027-01-05T12:00:00Z"), duration: 60, zone: TimeZone(identifier: "UTC")!).map(\.start)
        #expect(starts == ["2027-01-05T12:00:00Z", "2027-01-07T12:00:00Z", "2027-01-19T12:00:00Z", "2027-01-21T12:00:00Z", "2027-02-02T12:00:00Z", "2027-02-04T12:00:00Z"].map(utc))
    }

    @Test func monthlyByOrdinalWeekdayAndByDaySkippingShortMonths() {
        let utcZone = TimeZone(identifier: "UTC")!
        let second = Recurrence(frequency: .monthly, byDay: [.init(.TU, ordinal: 2)], end: .count(3))
        #expect(second.occurrences(start: utc("2027-01-12T15:00:00Z"), duration: 60, zone: utcZone).map(\.start)
            == ["2027-01-12T15:00:00Z", "2027-02-09T15:00:00Z", "2027-03-09T15:00:00Z"].map(utc))
        let last = Recurrence(frequency: .monthly, byDay: [.init(.FR, ordinal: -1)], end: .count(2))
        #expect(last.occurrences(start: utc("2027-01-29T15:00:00Z"), duration: 60, zone: utcZone).map(\.start)
            == ["2027-01-29T15:00:00Z", "2027-02-26T15:00:00Z"].map(utc))
        let thirtyFirst = Recurrence(frequency: .monthly, end: .count(3))
        #expect(thirtyFirst.occurrences(start: utc("2027-01-31T15:00:00Z"), duration: 60, zone: utcZone).map(\.start)
            == ["2027-01-31T15:00:00Z", "2027-03-31T15:00:00Z", "2027-05-31T15:00:00Z"].map(utc))
    }

    @Test func aLocalTimeTheChangeSkipsIsReadWithTheOffsetBeforeIt() {
        // Daily 02:30 Warsaw: on 2027-03-28 02:30 does not exist and is 03:30 CEST (01:30 UTC).
        let rule = Recurrence(frequency: .daily, end: .count(3))
        let starts = rule.occurrences(start: utc("2027-03-27T01:30:00Z"), duration: 60, zone: warsaw).map(\.start)
        #expect(starts == ["2027-03-27T01:30:00Z", "2027-03-28T01:30:00Z", "2027-03-29T00:30:00Z"].map(utc))
    }

    @Test func theChecksNameWhatIsWrong() {
        let start = utc("2027-03-09T09:00:00Z")  // a Tuesday
        func fields(_ rule: Recurrence) -> [String] { rule.problems(start: start, end: start.addingTimeInterval(3_600), zone: warsaw).map(\.field) }
        #expect(fields(Recurrence(frequency: .weekly, byDay: [.init(.TU)], end: .count(8))).isEmpty)
        #expect(fields(Recurrence(frequency: .weekly, byDay: [.init(.WE)], end: .count(8))) == ["recurrence"])
        #expect(fields(Recurrence(frequency: .weekly, end: .count(501))) == ["recurrence.count"])
        #expect(fields(Recurrence(frequency: .daily, end: .until(utc("2033-01-01T00:00:00Z")))) == ["recurrence.until"])
        #expect(fields(Recurrence(frequency: .weekly, byDay: [.init(.TU, ordinal: 2)], end: .count(2))) == ["recurrence.by_day"])
        #expect(fields(Recurrence(frequency: .weekly, end: .count(3), exdates: [utc("2027-03-10T09:00:00Z")])) == ["recurrence.exdates"])
        #expect(fields(Recurrence(frequency: .daily, end: .until(utc("2029-01-01T00:00:00Z")))) == ["recurrence"])  // > 500
        #expect(fields(Recurrence(frequency: .daily, interval: 0, end: .count(2))) == ["recurrence.interval"])
        #expect(fields(Recurrence(frequency: .weekly, end: .count(3), exdates: [start])) == ["recurrence.exdates"])
    }

    @Test func theRuleAsRRULEAndInWords() {
        let start = utc("2027-03-09T09:00:00Z")
        let weekly = Recurrence(frequency: .weekly, byDay: [.init(.TU)], end: .count(8))
        #expect(weekly.rruleValue == "FREQ=WEEKLY;BYDAY=TU;COUNT=8")
        #expect(weekly.summary(start: start, zone: warsaw, language: .en) == "Every Tuesday at 10:00, 8 sessions")
        #expect(weekly.summary(start: start, zone: warsaw, language: .pl) == "W każdy wtorek o 10:00, 8 spotkań")
        let monthly = Recurrence(frequency: .monthly, interval: 2, byDay: [.init(.TU, ordinal: 2)], end: .until(utc("2027-12-31T23:00:00Z")))
        #expect(monthly.rruleValue == "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;UNTIL=20271231T230000Z")
        #expect(monthly.summary(start: start, zone: warsaw, language: .en).hasPrefix("Every 2 months on the 2nd Tuesday at 10:00, until"))
        #expect(Recurrence(frequency: .weekly, byDay: [.init(.WE)], end: .count(3)).summary(start: utc("2027-03-10T09:00:00Z"), zone: warsaw, language: .pl)
            == "W każdą środę o 10:00, 3 spotkania")
        #expect(Recurrence(frequency: .daily, end: .count(1)).summary(start: start, zone: warsaw, language: .en) == "Every day at 10:00, 1 session")
    }

    @Test func theTimeZoneBlockHasEachChangeWithItsLocalStartAndOffsets() {
        let lines = VTimeZoneWriter.lines(for: warsaw, from: utc("2027-03-09T09:00:00Z"), through: utc("2027-11-30T10:00:00Z"))
        #expect(lines.first == "BEGIN:VTIMEZONE" && lines.contains("TZID:Europe/Warsaw"))
        // Warsaw's changes follow the EU rules: written as yearly rules anchored in 1970, so every
        // file naming the zone carries the same block (some readers cache one per TZID).
        #expect(lines == [
            "BEGIN:VTIMEZONE", "TZID:Europe/Warsaw",
            "BEGIN:DAYLIGHT", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200", lines[7], "END:DAYLIGHT",
            "BEGIN:STANDARD", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100", lines[14], "END:STANDARD",
            "END:VTIMEZONE",
        ])
        #expect(lines == VTimeZoneWriter.lines(for: warsaw, from: utc("2052-01-01T00:00:00Z"), through: utc("2053-06-01T00:00:00Z")))
        // New York: the second Sunday of March and the first of November.
        let newYork = VTimeZoneWriter.lines(for: TimeZone(identifier: "America/New_York")!, from: utc("2027-01-01T00:00:00Z"), through: utc("2028-01-01T00:00:00Z"))
        #expect(newYork.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU") && newYork.contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"))
        #expect(newYork.contains("DTSTART:19700308T020000") && newYork.contains("DTSTART:19701101T020000"))
        let kathmandu = VTimeZoneWriter.lines(for: TimeZone(identifier: "Asia/Kathmandu")!, from: utc("2027-01-01T00:00:00Z"), through: utc("2027-12-01T00:00:00Z"))
        #expect(kathmandu.contains("TZOFFSETTO:+0545") && !kathmandu.contains("BEGIN:DAYLIGHT"))
    }

    @Test func aSeriesIcsUsesTheZoneAndOneOffsStayUTC() {
        var event = Fixtures.event()
        event.timeZone = "Europe/Warsaw"
        event.start = utc("2027-03-09T09:00:00Z")
        event.end = utc("2027-03-09T10:00:00Z")
        let oneOff = ICSWriter(uidHost: "a.example").calendar(for: event, reminderMinutes: 15)
        #expect(oneOff.contains("DTSTART:20270309T090000Z\r\n") && !oneOff.contains("VTIMEZONE"))
        event.recurrence = Recurrence(frequency: .weekly, byDay: [.init(.TU)], end: .count(8), exdates: [utc("2027-03-30T08:00:00Z")])
        let series = ICSText.unfold(ICSWriter(uidHost: "a.example").calendar(for: event, reminderMinutes: 15))
        for line in ["DTSTART;TZID=Europe/Warsaw:20270309T100000", "DTEND;TZID=Europe/Warsaw:20270309T110000",
                     "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=8", "EXDATE;TZID=Europe/Warsaw:20270330T100000", "TZID:Europe/Warsaw"] {
            #expect(series.contains(line + "\r\n"), "\(line)")
        }
        #expect(series.range(of: "END:VTIMEZONE")!.lowerBound < series.range(of: "BEGIN:VEVENT")!.lowerBound)
        // Google keeps the wall clock: local dates, the zone and the rule.
        let google = ProviderLinks().url(for: .google, event: event)!
        let items = Dictionary(uniqueKeysWithValues: URLComponents(string: google)!.queryItems!.map { ($0.name, $0.value ?? "") })
        #expect(items["dates"] == "20270309T100000/20270309T110000" && items["ctz"] == "Europe/Warsaw")
        #expect(items["recur"]?.hasPrefix("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=8") == true)
        for type in [ProviderType.outlook, .office365, .yahoo] { #expect(ProviderLinks().url(for: type, event: event) == nil) }
    }
}
