import Core
import Foundation
import TestSupport
import Testing

/// The subscription feed's shape, line by line: what clients need to poll it, name it and
/// replace their copies, with hostile text kept inside its property.
@Suite struct FeedWriterTests {
    let writer = ICSWriter(uidHost: "attendify.example")

    func entry(_ event: Event, _ language: WidgetLanguage = .en) -> ICSWriter.Entry {
        ICSWriter.Entry(event: event, reminderMinutes: 15, language: language)
    }

    @Test func aFeedNamesItselfTellsClientsWhenToComeBackAndHoldsEveryEvent() {
        var second = Fixtures.event(title: "Second")
        second.publicID = PublicID("SecondSecondSecond01")!
        let feed = writer.feed(name: "Ada: webinars", description: "Ada: webinars", entries: [entry(Fixtures.event()), entry(second)])
        let lines = ICSText.unfold(feed).components(separatedBy: "\r\n")
        for expected in [
            "METHOD:PUBLISH", "X-WR-CALNAME:Ada: webinars", "NAME:Ada: webinars", "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-PUBLISHED-TTL:PT1H", "UID:\(Fixtures.publicID.rawValue)@attendify.example", "UID:SecondSecondSecond01@attendify.example",
            "LAST-MODIFIED:20541201T140000Z", "CREATED:20541130T150000Z",
        ] {
            #expect(lines.contains(expected), "\(expected)")
        }
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 2)
        #expect(feed.hasSuffix("END:VCALENDAR\r\n"))
    }

    @Test func aCancelledEventSaysSoInEveryWayClientsLookAndHasNoAlarm() {
        var event = Fixtures.event()
        event.status = .cancelled
        let lines = ICSText.unfold(writer.calendar(for: entry(event, .pl))).components(separatedBy: "\r\n")
        #expect(lines.contains("STATUS:CANCELLED"))
        #expect(lines.contains("TRANSP:TRANSPARENT"))
        #expect(lines.contains("SUMMARY:Odwołane: Quarterly webinar"))
        #expect(lines.contains { $0.hasPrefix("DESCRIPTION:To wydarzenie zostało odwołane.\\n\\n") })
        #expect(!lines.contains("BEGIN:VALARM"))
    }

    @Test func hostileNamesAndTitlesStayInsideTheirLinesFoldedAt75Octets() {
        let hostile = "Evil\r\nBEGIN:VEVENT\r\nUID:x; a,b \\ 🎉👩‍💻 " + String(repeating: "zażółć ", count: 30)
        var event = Fixtures.event(title: hostile)
        event.recordingURL = "https://example.com/rec?a=1&b=2"
        let feed = writer.feed(name: hostile, description: hostile, entries: [entry(event)])
        #expect(feed.components(separatedBy: "\r\n").filter { $0 == "BEGIN:VEVENT" }.count == 1)
        for line in feed.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= ICSText.maximumLineOctets, "\(line)")
            #expect(!line.contains("\n") && !line.contains("\r"))
        }
        let unfolded = ICSText.unfold(feed).components(separatedBy: "\r\n")
        #expect(unfolded.contains { $0.hasPrefix("X-WR-CALNAME:Evil\\nBEGIN:VEVENT\\nUID:x\\; a\\,b \\\\ 🎉👩‍💻") })
        #expect(unfolded.contains { $0.contains("Watch the recording: https://example.com/rec?a=1&b=2") })
    }
}
