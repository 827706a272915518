import Core
import Foundation
import TestSupport
import Testing

@Suite struct ICSWriterTests {
    let writer = ICSWriter(uidHost: "attendify.example")

    func lines(_ ics: String) -> [String] {
        ICSText.unfold(ics).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func hasTheCalendarEnvelopeAndOneEvent() {
        let ics = writer.calendar(for: Fixtures.event(), reminderMinutes: 15)
        let lines = lines(ics)
        #expect(Array(lines.prefix(6)) == [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(ICSWriter.productID)", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
        ])
        #expect(lines.suffix(2) == ["END:VEVENT", "END:VCALENDAR"])
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 1)
    }

    @Test func writesUTCTimesStableUIDAndSequence() {
        let lines = lines(writer.calendar(for: Fixtures.event(sequence: 3), reminderMinutes: 15))
        #expect(lines.contains("UID:AbCdEfGhIjKlMnOpQrStUv@attendify.example"))
        #expect(lines.contains("DTSTART:20541201T150000Z"))
        #expect(lines.contains("DTEND:20541201T163000Z"))
        #expect(lines.contains("DTSTAMP:20541201T140000Z"))  // the event's last change
        #expect(lines.contains("SEQUENCE:3"))
        #expect(lines.contains("STATUS:CONFIRMED"))
        #expect(lines.contains("URL:https://example.com/join"))
        #expect(lines.contains("LOCATION:https://example.com/join"))
    }

    @Test func descriptionEndsWithTheWebinarLink() {
        let lines = lines(writer.calendar(for: Fixtures.event(description: "Agenda; news, Q&A"), reminderMinutes: 15))
        #expect(lines.contains(#"DESCRIPTION:Agenda\; news\, Q&A\n\nhttps://example.com/join"#))
    }

    @Test func descriptionThatAlreadyHasTheLinkIsKept() {
        let event = Fixtures.event(description: "Join at https://example.com/join today")
        #expect(ICSWriter.description(of: event) == "Join at https://example.com/join today")
    }

    @Test func alarmComesAfterTheEventPropertiesWithTheConfiguredLeadTime() throws {
        let lines = lines(writer.calendar(for: Fixtures.event(), reminderMinutes: 60))
        let alarm = try #require(lines.firstIndex(of: "BEGIN:VALARM"))
        let lastProperty = try #require(lines.lastIndex { $0.hasPrefix("STATUS:") || $0.hasPrefix("SEQUENCE:") })
        #expect(alarm > lastProperty)
        #expect(lines[alarm...].contains("TRIGGER:-PT60M"))
        #expect(lines[alarm...].contains("ACTION:DISPLAY"))
    }

    @Test func everyLineEndsInCRLFAndFitsSeventyFiveOctets() {
        let event = Fixtures.event(
            title: String(repeating: "Zażółć gęślą jaźń 🎉 ", count: 12), description: String(repeating: "long, line; ", count: 40))
        let ics = writer.calendar(for: event, reminderMinutes: 15)
        #expect(ics.hasSuffix("\r\n"))
        let physical = ics.components(separatedBy: "\r\n").dropLast()
        #expect(physical.allSatisfy { $0.utf8.count <= 75 && !$0.contains("\n") && !$0.contains("\r") })
    }

    @Test func sameEventGivesSameBytes() {
        #expect(writer.calendar(for: Fixtures.event(), reminderMinutes: 15) == writer.calendar(for: Fixtures.event(), reminderMinutes: 15))
    }

    @Test func sequenceGrowsOnlyForChangesCalendarsMustSee() {
        let original = Fixtures.event(sequence: 2)
        var retitled = original
        retitled.title = "New title"
        var moved = original
        moved.start = moved.start.addingTimeInterval(3_600)
        moved.end = moved.end.addingTimeInterval(3_600)
        var relinked = original
        relinked.webinarURL = "https://example.com/other"
        var restyled = original
        restyled.customization.theme = .dark
        #expect(retitled.sequenceAfterChange(from: original) == 3)
        #expect(moved.sequenceAfterChange(from: original) == 3)
        #expect(relinked.sequenceAfterChange(from: original) == 3)
        #expect(restyled.sequenceAfterChange(from: original) == 2)
    }
}
