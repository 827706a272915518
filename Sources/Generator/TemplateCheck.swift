import Core
import Foundation

/// `attendify check-templates`: renders every template with sample data (hostile strings
/// included) and validates the output with libxml2, so a broken or unsafe template is caught in
/// CI and not by a visitor.
public struct TemplateCheck: Sendable {
    /// A finding: which template, which sample, which line of the rendered output, and what.
    public struct Finding: Sendable, CustomStringConvertible {
        public var template: String
        public var sample: String
        public var line: Int
        public var message: String
        public var description: String { "\(template).mustache [sample: \(sample)] line \(line): \(message)" }
    }

    let templates: TemplateLibrary

    public init(templates: TemplateLibrary) {
        self.templates = templates
    }

    /// Strings that have broken widgets elsewhere: markup, quotes, line breaks, long text, emoji.
    public static let hostileStrings = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "'; background:url(javascript:alert(1)); x:'",
        "Line one\r\nLine two\nLine three\\; with, commas",
        "Zażółć gęślą jaźń 🎉👩‍💻",
        String(repeating: "Long-text-without-spaces-", count: 12),
        "</style></title></main><!--",
        "{{title}} &amp; &lt;",
    ]

    public func run() -> [Finding] {
        var findings: [Finding] = []
        let renderer = WidgetRenderer(templates: templates, uidHost: "check.invalid")
        // Partials (`_style`, `_content`) are checked inside the pages that include them.
        for name in templates.names where !name.hasPrefix("_") {
            guard name == "widget" || name == "event" else {
                findings.append(Finding(template: name, sample: "-", line: 0, message: "no sample data: teach TemplateCheck this template"))
                continue
            }
            for (label, event, settings, now) in Self.widgetSamples() {
                let html: String
                do {
                    html = name == "event"
                        ? try renderer.pageHTML(Self.publishable(event), settings: settings, now: now)
                        : try renderer.widgetHTML(event: event, settings: settings, now: now)
                } catch {
                    findings.append(Finding(template: name, sample: label, line: 0, message: "\(error)"))
                    continue
                }
                for problem in HTMLValidator.problems(in: html) {
                    findings.append(Finding(template: name, sample: label, line: problem.line, message: problem.message))
                }
                // Inside <style> HTML entities are not decoded: an escaped quote voids the CSS rule.
                for style in Self.styleBlocks(html) where style.contains("&quot;") || style.contains("&#39;") || style.contains("&amp;") {
                    findings.append(Finding(template: name, sample: label, line: 0, message: "an HTML entity inside <style> breaks the CSS: \(style.prefix(80))…"))
                }
                // Every hostile title must come out as text: escaped markup, never raw.
                if event.title.contains("<") && html.contains(event.title) {
                    findings.append(Finding(template: name, sample: label, line: 0, message: "the title appears unescaped"))
                }
            }
        }
        return findings
    }

    static func publishable(_ event: Event) -> PublishableEvent {
        PublishableEvent(
            event: event, userDefaults: CustomizationOverrides(),
            organizer: FeedOwner(userID: event.userID, feedID: event.publicID, name: event.title))
    }

    static func styleBlocks(_ html: String) -> [Substring] {
        var blocks: [Substring] = []
        var rest = html[...]
        while let open = rest.range(of: "<style>"), let close = rest.range(of: "</style>", range: open.upperBound..<rest.endIndex) {
            blocks.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return blocks
    }

    /// Every sample in each phase of an event's life: upcoming, ended (with a recording link
    /// carrying the hostile text too) and cancelled, so each branch of the template is checked.
    static func widgetSamples() -> [(String, Event, WidgetSettings, Date)] {
        var samples: [(String, Event, WidgetSettings, Date)] = []
        for (label, event, settings) in baseSamples() {
            var withSubscribe = settings
            withSubscribe.providers += [.subscribeWebcal, .subscribeGoogle, .subscribeOutlook]
            samples.append((label, event, withSubscribe, event.start.addingTimeInterval(-86_400)))
            var ended = event
            ended.recordingURL = "https://example.com/recording?t=\(PercentEncoding.encodeQueryValue(event.title))&x=\"<>"
            samples.append(("\(label), ended", ended, withSubscribe, event.end.addingTimeInterval(3_600)))
            var cancelled = event
            cancelled.status = .cancelled
            samples.append(("\(label), cancelled", cancelled, settings, event.start.addingTimeInterval(-86_400)))
            // A series: the rule in words and the note about calendars that cannot add one.
            var series = event
            series.recurrence = Recurrence(frequency: .weekly, end: .count(8))
            samples.append(("\(label), series", series, withSubscribe, event.start.addingTimeInterval(-86_400)))
        }
        return samples
    }

    static func baseSamples() -> [(String, Event, WidgetSettings)] {
        let id = PublicID("SampleSampleSample01")!
        let start = Date(timeIntervalSince1970: 1_796_137_200)  // 2026-12-01 15:00 UTC
        func event(title: String, description: String, zone: String = "Europe/Warsaw") -> Event {
            Event(
                id: 1, userID: 1, publicID: id, title: title, description: description, start: start,
                end: start.addingTimeInterval(5_400), timeZone: zone, webinarURL: "https://example.com/join?a=1&b=<2>",
                createdAt: start, updatedAt: start)
        }
        var samples: [(String, Event, WidgetSettings)] = [
            ("defaults", event(title: "Quarterly product webinar", description: "What is new this quarter."), .defaults)
        ]
        for (index, text) in hostileStrings.enumerated() {
            var settings = WidgetSettings.defaults
            settings.labels = [.google: text, .ics: text]
            settings.theme = [WidgetTheme.light, .dark, .auto][index % 3]
            settings.buttonStyle = index.isMultiple(of: 2) ? .filled : .outline
            settings.language = WidgetLanguage.allCases[index % WidgetLanguage.allCases.count]
            settings.accentColor = HexColor("#ffcc00")
            settings.font = WidgetFont.allCases[index % WidgetFont.allCases.count]
            samples.append(("hostile #\(index + 1)", event(title: text, description: text, zone: "America/St_Johns"), settings))
        }
        return samples
    }
}
