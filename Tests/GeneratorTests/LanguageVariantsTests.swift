import Core
import Crypto
import Foundation
import Testing

@testable import Generator

/// `language: "auto"`: every page of an event once per language beside `index.html`; the event
/// page `/e/{id}`; the visitor's-clock script that the CSP admits by hash.
@Suite struct LanguageVariantsTests {
    static func renderer() async throws -> WidgetRenderer {
        WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org", publicBase: "https://events.example.org")
    }

    static func files(_ item: PublishableEvent) async throws -> [String: String] {
        let rendered = try await renderer().render(item, now: GeneratorFixtures.before)
        return Dictionary(uniqueKeysWithValues: rendered.filter { $0.relativePath.hasSuffix(".html") }.map {
            ($0.relativePath, String(decoding: $0.contents, as: UTF8.self))
        })
    }

    @Test func autoPublishesEveryLanguageBesideTheOrganizersOwn() async throws {
        var event = GeneratorFixtures.event()
        event.customization = CustomizationOverrides(language: .auto)
        let item = GeneratorFixtures.item(event, defaults: CustomizationOverrides(language: .fixed(.de)))
        let pages = try await Self.files(item)
        let id = event.publicID
        for folder in [SitePaths.widgetDirectory(id), SitePaths.pageDirectory(id)] {
            #expect(pages["\(folder)/index.html"]?.contains(#"<html lang="de" dir="ltr">"#) == true, "fallback of \(folder)")
            for language in WidgetLanguage.allCases {
                let page = try #require(pages[SitePaths.variantHTML(in: folder, language)], "\(language) in \(folder)")
                #expect(page.contains(#"<html lang="\#(language.rawValue)" dir="\#(language.direction)">"#))
                #expect(page.contains(WidgetStrings.for(language).heading))
            }
        }
        #expect(pages.count == 2 * (WidgetLanguage.allCases.count + 1))
    }

    @Test func aFixedLanguagePublishesOneFileAndDropsOldVariants() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("variants-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let publisher = Publisher(root: out)
        var event = GeneratorFixtures.event()
        event.customization = CustomizationOverrides(language: .auto)
        let auto = try await Self.renderer().render(GeneratorFixtures.item(event), now: GeneratorFixtures.before)
        try publisher.publish(auto)
        try publisher.removeStaleVariants(of: event.publicID, keeping: auto)
        let folder = "\(out)/\(SitePaths.widgetDirectory(event.publicID))"
        #expect(FileManager.default.fileExists(atPath: "\(folder)/index.ar.html.gz"))
        event.customization = CustomizationOverrides(language: .fixed(.sv))
        let fixed = try await Self.renderer().render(GeneratorFixtures.item(event), now: GeneratorFixtures.before)
        try publisher.publish(fixed)
        try publisher.removeStaleVariants(of: event.publicID, keeping: fixed)
        for folder in [SitePaths.widgetDirectory(event.publicID), SitePaths.pageDirectory(event.publicID)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(out)/\(folder)").sorted()
            #expect(names == ["index.html", "index.html.gz"], "\(folder): \(names)")
        }
    }

    @Test func rightToLeftLanguagesSayTheirDirection() async throws {
        var settings = WidgetSettings.defaults
        settings.language = .ar
        let html = try await Self.renderer().widgetHTML(event: GeneratorFixtures.event(), settings: settings, now: GeneratorFixtures.before)
        #expect(html.contains(#"<html lang="ar" dir="rtl">"#))
        #expect(html.contains("أضف إلى التقويم"))
    }

    // MARK: The event page

    static func page(_ event: Event, allowIndexing: Bool = false) async throws -> String {
        var settings = WidgetSettings.defaults
        settings.allowIndexing = allowIndexing
        return try await renderer().pageHTML(GeneratorFixtures.item(event), settings: settings, now: GeneratorFixtures.before)
    }

    static func structuredData(_ html: String) throws -> [String: Any] {
        let match = try #require(html.firstMatch(of: #/<script type="application/ld\+json">(.*?)</script>/#))
        return try #require(try JSONSerialization.jsonObject(with: Data(match.output.1.utf8)) as? [String: Any])
    }

    @Test func eventPageCarriesSharingTagsAndStructuredData() async throws {
        let event = GeneratorFixtures.event()
        let html = try await Self.page(event)
        let url = "https://events.example.org/e/\(event.publicID.rawValue)"
        #expect(html.contains(#"<meta name="robots" content="noindex">"#))
        #expect(html.contains(#"<link rel="canonical" href="\#(url)">"#))
        #expect(html.contains(#"<meta property="og:title" content="Quarterly webinar">"#))
        #expect(html.contains(#"<meta property="og:url" content="\#(url)">"#))
        #expect(html.contains(#"<meta name="twitter:card" content="summary">"#))
        #expect(html.contains(#"href="/track/\#(event.publicID.rawValue)/google""#))
        let data = try Self.structuredData(html)
        #expect(data["@type"] as? String == "Event")
        #expect(data["eventAttendanceMode"] as? String == "https://schema.org/OnlineEventAttendanceMode")
        #expect(data["eventStatus"] as? String == "https://schema.org/EventScheduled")
        let location = try #require(data["location"] as? [String: Any])
        #expect(location["@type"] as? String == "VirtualLocation")
        #expect(location["url"] as? String == event.webinarURL)
        let parse = ISO8601DateFormatter()
        #expect(parse.date(from: try #require(data["startDate"] as? String)) == event.start)
        #expect(parse.date(from: try #require(data["endDate"] as? String)) == event.end)
        #expect((data["startDate"] as? String)?.hasSuffix("+01:00") == true)  // the event zone's offset
        #expect(try await Self.page(event, allowIndexing: true).contains(#"<meta name="robots" content="index,follow">"#))
    }

    @Test(arguments: TemplateCheck.hostileStrings)
    func hostileTextStaysInsideTheStructuredData(_ text: String) async throws {
        let event = GeneratorFixtures.event(title: text, description: text)
        let html = try await Self.page(event)
        let data = try Self.structuredData(html)
        #expect(data["name"] as? String == PlainText.normalized(text))
        #expect(html.components(separatedBy: "</script>").count == 3)  // the JSON-LD's and the clock's
        #expect(!html.contains("<img src=x"))
    }

    /// Every control character, quotes, backslashes and the line separators come back exactly.
    @Test func structuredDataStringsRoundTrip() throws {
        let text = String((0..<32).map { Character(Unicode.Scalar($0)!) }) + "\"\\/<>&\u{2028}\u{2029}é🎉"
        let literal = EventStructuredData.string(text)
        #expect(!literal.contains("<") && !literal.contains(">") && !literal.contains("&"))
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(parsed == [text])
        let zone = TimeZone(identifier: "America/St_Johns")!
        #expect(EventStructuredData.timestamp(GeneratorFixtures.start, zone: zone) == "2054-12-01T11:30:00-03:30")
        #expect(EventStructuredData.timestamp(GeneratorFixtures.start, zone: TimeZone(identifier: "UTC")!) == "2054-12-01T15:00:00Z")
    }

    @Test func cancelledEventsSayCancelled() async throws {
        var event = GeneratorFixtures.event()
        event.status = .cancelled
        let data = try Self.structuredData(try await Self.page(event))
        #expect(data["eventStatus"] as? String == "https://schema.org/EventCancelled")
    }

    // MARK: The visitor's clock

    @Test func theClockScriptIsAdmittedByItsOwnHash() async throws {
        let digest = Data(SHA256.hash(data: Data(VisitorClock.script.utf8))).base64EncodedString()
        #expect(VisitorClock.cspSource == "'sha256-\(digest)'")
        #expect(PagePolicy.widgetCSP.contains("script-src \(VisitorClock.cspSource);"))
        #expect(!PagePolicy.widgetCSP.contains("unsafe-inline';") || !PagePolicy.widgetCSP.contains("script-src 'unsafe-inline'"))
        let html = try await Self.renderer().widgetHTML(event: GeneratorFixtures.event(), settings: .defaults, now: GeneratorFixtures.before)
        #expect(html.contains("<script>\(VisitorClock.script)</script>"))
        #expect(html.contains(#"data-end="2054-12-01T16:00:00Z" data-zone="Europe/Warsaw""#))
    }

    /// The heaviest widget (every button, a long description, a series) stays within 3 KB gzipped.
    @Test func theWidgetStaysWithinItsBudget() async throws {
        var event = GeneratorFixtures.event(description: String(repeating: "A long description with many words. ", count: 120))
        event.recurrence = Recurrence(frequency: .weekly, end: .count(8))
        var settings = WidgetSettings.defaults
        settings.providers = ProviderType.allCases.filter(\.carriesSeries)
        settings.language = .uk
        let html = try await Self.renderer().widgetHTML(event: event, settings: settings, now: GeneratorFixtures.before)
        let gzipped = try Gzip.compress(Array(html.utf8))
        #expect(gzipped.count <= 3_072, "\(gzipped.count) bytes gzipped")
    }
}
