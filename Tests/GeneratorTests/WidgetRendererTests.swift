import Core
import Foundation
import Generator
import Testing

@Suite struct WidgetRendererTests {
    func html(_ event: Event, _ settings: WidgetSettings = .defaults) async throws -> String {
        try WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org")
            .widgetHTML(event: event, settings: settings, now: GeneratorFixtures.before)
    }

    @Test func rendersACompleteDocumentWithLanguageTitleAndZone() async throws {
        let page = try await html(GeneratorFixtures.event())
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains(#"<html lang="en" dir="ltr">"#))
        #expect(page.contains("<h1>Quarterly webinar</h1>"))
        #expect(page.contains("Tuesday, December 1, 2054"))
        #expect(page.contains("4:00"))  // 15:00 UTC is 16:00 in Warsaw
        #expect(page.contains("Europe/Warsaw, UTC+01:00"))
        #expect(page.contains(#"datetime="2054-12-01T15:00:00Z""#))
    }

    @Test func buttonsAreTrackLinksInTheConfiguredOrder() async throws {
        var settings = WidgetSettings.defaults
        settings.providers = [.ics, .yahoo, .google]
        let page = try await html(GeneratorFixtures.event(), settings)
        let hrefs = page.matches(of: /href="([^"]+)"/).map { String($0.output.1) }
        #expect(hrefs == [
            "/track/AbCdEfGhIjKlMnOpQrStUv/ics", "/track/AbCdEfGhIjKlMnOpQrStUv/yahoo", "/track/AbCdEfGhIjKlMnOpQrStUv/google",
        ])
        #expect(page.contains(#"data-type="google" target="_blank" rel="noopener noreferrer""#))
        #expect(!page.contains(#"data-type="ics" target"#))  // the .ics downloads in place
    }

    @Test func polishWidgetUsesPolishTextsAndDates() async throws {
        var settings = WidgetSettings.defaults
        settings.language = .pl
        let page = try await html(GeneratorFixtures.event(), settings)
        #expect(page.contains(#"<html lang="pl" dir="ltr">"#))
        #expect(page.contains("Dodaj do kalendarza"))
        #expect(page.contains("grudnia 2054"))
    }

    @Test func hostileTextIsEscapedEverywhere() async throws {
        var settings = WidgetSettings.defaults
        settings.labels = [.google: #""><script>x</script>"#]
        let page = try await html(
            GeneratorFixtures.event(title: "<script>alert(1)</script>", description: "</style><img src=x onerror=alert(1)>"), settings)
        #expect(!page.contains("<script>alert") && !page.contains("<script>x"))
        #expect(page.components(separatedBy: "<script>").count == 2)  // only the visitor's clock
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("&quot;&gt;&lt;script&gt;x&lt;/script&gt;"))
        #expect(HTMLValidator.problems(in: page).isEmpty)
    }

    @Test func themesAndColoursReachTheCSS() async throws {
        var settings = WidgetSettings.defaults
        settings.theme = .dark
        settings.accentColor = HexColor("#ffcc00")
        settings.buttonStyle = .outline
        settings.borderRadius = 0
        settings.font = .serif
        let page = try await html(GeneratorFixtures.event(), settings)
        #expect(page.contains("--ac:#ffcc00;--on:#000000;color-scheme:dark"))
        #expect(!page.contains("prefers-color-scheme"))
        #expect(page.contains("a{background:transparent;color:var(--ac)}"))
        #expect(page.contains("border-radius:0px"))
        #expect(page.contains("Georgia"))
        let auto = try await html(GeneratorFixtures.event())
        #expect(auto.contains("@media(prefers-color-scheme:dark)"))
    }

    @Test func descriptionCanBeHidden() async throws {
        var settings = WidgetSettings.defaults
        settings.showDescription = false
        #expect(try await html(GeneratorFixtures.event(), .defaults).contains("All the news."))
        #expect(!(try await html(GeneratorFixtures.event(), settings).contains("All the news.")))
    }

    @Test func typicalWidgetStaysWithinTheSizeBudget() async throws {
        let renderer = WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org")
        let event = GeneratorFixtures.event(
            title: "Scaling your webinar program: lessons from 500 events",
            description: "Join our head of events for a practical hour on planning, promotion and follow-up.")
        let files = try renderer.render(GeneratorFixtures.item(event), now: GeneratorFixtures.before)
        let html = try #require(files.first { $0.relativePath.hasSuffix("index.html") })
        let gzip = try #require(files.first { $0.relativePath.hasSuffix("index.html.gz") })
        #expect(html.contents.count <= 8 * 1024)
        #expect(gzip.contents.count <= 3 * 1024)
        #expect(gzip.contents.starts(with: [0x1F, 0x8B]))
    }

    @Test func afterTheEndOnlyTheSubscribeButtonsStayAndOnlyToTheOrganizersFeed() async throws {
        let renderer = WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org")
        var settings = WidgetSettings.defaults
        settings.providers = [.google, .subscribeWebcal, .ics, .subscribeGoogle]
        let event = GeneratorFixtures.event()
        let after = event.end.addingTimeInterval(60)
        let upcoming = try renderer.widgetHTML(event: event, settings: settings, now: GeneratorFixtures.before)
        #expect(upcoming.contains("<h2>Add to calendar</h2>"))
        let types = { (page: String) in page.components(separatedBy: "data-type=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) } }
        #expect(types(upcoming) == ["google", "subscribe_webcal", "ics", "subscribe_google"])
        let ended = try renderer.widgetHTML(event: event, settings: settings, now: after)
        #expect(types(ended) == ["subscribe_webcal", "subscribe_google"])
        #expect(ended.contains("<h2>Subscribe to our webinars</h2>") && ended.contains(#"data-state="ended""#))
        var unlisted = event
        unlisted.listed = false  // its subscription would be its own feed: nothing left to offer
        #expect(types(try renderer.widgetHTML(event: unlisted, settings: settings, now: after)).isEmpty)
    }

    @Test func renderingIsDeterministic() async throws {
        let renderer = WidgetRenderer(templates: try await GeneratorFixtures.templates(), uidHost: "example.org")
        let item = GeneratorFixtures.item(GeneratorFixtures.event())
        #expect(try renderer.render(item, now: GeneratorFixtures.before) == renderer.render(item, now: GeneratorFixtures.before))
        #expect(try renderer.render(item, now: GeneratorFixtures.before).map(\.relativePath) == [
            "calendar/AbCdEfGhIjKlMnOpQrStUv/download.ics", "calendar/AbCdEfGhIjKlMnOpQrStUv/feed.ics",
            "widget/event/AbCdEfGhIjKlMnOpQrStUv/index.html", "widget/event/AbCdEfGhIjKlMnOpQrStUv/index.html.gz",
            "e/AbCdEfGhIjKlMnOpQrStUv/index.html", "e/AbCdEfGhIjKlMnOpQrStUv/index.html.gz",
        ])
    }
}
