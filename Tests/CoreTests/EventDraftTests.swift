import Core
import Foundation
import TestSupport
import Testing

@Suite struct EventDraftTests {
    func draft(
        title: String = "Webinar", description: String = "", end: TimeInterval = 3_600, timeZone: String = "UTC",
        url: String = "https://example.com/w"
    ) -> EventDraft {
        EventDraft(
            title: title, description: description, start: Fixtures.start, end: Fixtures.start.addingTimeInterval(end),
            timeZone: timeZone, webinarURL: url)
    }

    func fields(_ draft: EventDraft) -> [String] {
        do {
            _ = try draft.validated()
            return []
        } catch {
            return error.issues.map(\.field)
        }
    }

    @Test func normalizesTextAndTrimsTheTitle() throws {
        let valid = try draft(title: "  Hello\r\nworld \u{7}", description: "a\r\nb\rc").validated()
        #expect(valid.title == "Hello\nworld")
        #expect(valid.description == "a\nb\nc")
    }

    @Test(arguments: ["javascript:alert(1)", "ftp://example.com", "example.com/x", "https://", "https://exa mple.com", "data:text/html,x"])
    func rejectsNonHTTPWebinarLinks(_ url: String) {
        #expect(fields(draft(url: url)) == ["webinar_url"])
    }

    @Test func rejectsEndBeforeOrAtStart() {
        #expect(fields(draft(end: 0)) == ["end_datetime"])
        #expect(fields(draft(end: -60)) == ["end_datetime"])
    }

    @Test(arguments: ["Mars/Olympus", "EST", "GMT+2", "", "../../etc/passwd", "Europe/../Warsaw", "/etc/passwd"])
    func rejectsUnknownTimeZones(_ zone: String) {
        #expect(fields(draft(timeZone: zone)) == ["timezone"])
    }

    @Test func acceptsRealZoneNames() {
        #expect(fields(draft(timeZone: "Europe/Warsaw")).isEmpty)
        #expect(fields(draft(timeZone: "America/St_Johns")).isEmpty)
        // Current IANA names that ICU's own list spells the old way (Asia/Calcutta).
        #expect(fields(draft(timeZone: "Asia/Kolkata")).isEmpty)
        #expect(fields(draft(timeZone: "Asia/Calcutta")).isEmpty)
    }

    @Test func limitsLengths() {
        #expect(fields(draft(title: "")) == ["title"])
        #expect(fields(draft(title: String(repeating: "é", count: 201))) == ["title"])
        #expect(fields(draft(title: String(repeating: "é", count: 200))).isEmpty)
        #expect(fields(draft(description: String(repeating: "x", count: 5_001))) == ["description"])
        #expect(fields(draft(url: "https://example.com/" + String(repeating: "x", count: 1_990))) == ["webinar_url"])
    }
}
