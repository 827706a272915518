import Core
import Foundation

/// The pure half of the generator: an event, its settings and the moment in, the exact bytes of
/// its public files out. No disk and no clock of its own: the same input always gives the same
/// output. `now` matters only for the widget, which says "ended" once the event is over.
public struct WidgetRenderer: Sendable {
    let templates: TemplateLibrary
    let icsWriter: ICSWriter
    /// The public URL without a trailing slash: the event page's absolute links (Open Graph,
    /// canonical, structured data) start with it.
    let publicBase: String

    public enum RenderError: Error, CustomStringConvertible {
        case templateFailed(String)
        public var description: String {
            switch self {
            case .templateFailed(let name): "template \(name) could not be rendered"
            }
        }
    }

    /// `uidHost` is the host of the public URL: it makes each `.ics` UID globally unique.
    public init(templates: TemplateLibrary, uidHost: String, publicBase: String? = nil) {
        self.templates = templates
        self.icsWriter = ICSWriter(uidHost: uidHost)
        self.publicBase = publicBase ?? "https://\(uidHost)"
    }

    /// The widget page alone. `counted` carries the view beacon and track links as published;
    /// previews of unsaved settings pass false, so an organizer's own looks count nothing.
    /// `placement` puts its key in both, so its traffic is attributed to it.
    public func widgetHTML(event: Event, settings: WidgetSettings, now: Date, placement: PublicID? = nil, counted: Bool = true) throws -> String {
        let view = WidgetView(event: event, settings: settings, now: now, counted: counted)
        return try widgetHTML(placement.map(view.placed) ?? view)
    }

    private func widgetHTML(_ view: WidgetView) throws -> String {
        guard let html = templates.render(view, template: "widget") else {
            throw RenderError.templateFailed("widget")
        }
        return html
    }

    /// The event page, `/e/{id}`, in the settings' language.
    public func pageHTML(_ item: PublishableEvent, settings: WidgetSettings, now: Date) throws -> String {
        try pageHTML(item, widget: WidgetView(event: item.event, settings: settings, now: now), settings: settings)
    }

    /// The page shows what the event's own widget shows: the same view, already built.
    private func pageHTML(_ item: PublishableEvent, widget: WidgetView, settings: WidgetSettings) throws -> String {
        let view = EventPageView(item: item, widget: widget, settings: settings, publicBase: publicBase)
        guard let html = templates.render(view, template: "event") else {
            throw RenderError.templateFailed("event")
        }
        return html
    }

    /// All files of one event: the widget, the event page, each placement's widget (each with its
    /// gzip twin), the `.ics` and the event's own feed. A widget that follows the visitor's
    /// language has every page once per language too (`index.de.html`…), beside `index.html` in
    /// the organizer's language, for Nginx or `serve` to pick from by `Accept-Language`.
    public func render(_ item: PublishableEvent, now: Date) throws -> [OutputFile] {
        let settings = item.settings
        let event = item.event
        var files = [
            OutputFile(relativePath: SitePaths.calendarFile(event.publicID), contents: Array(icsWriter.calendar(for: entry(item)).utf8)),
            eventFeed(item),
        ]
        func add(_ html: String, in folder: String, _ language: WidgetLanguage?) throws {
            let bytes = Array(html.utf8)
            files.append(OutputFile(relativePath: SitePaths.variantHTML(in: folder, language), contents: bytes))
            files.append(OutputFile(relativePath: SitePaths.variantGzip(in: folder, language), contents: try Gzip.compress(bytes)))
        }
        let variants: [WidgetLanguage?] = settings.followsVisitorLanguage ? [nil] + WidgetLanguage.allCases : [nil]
        for language in variants {
            let speaking = language.map(settings.speaking) ?? settings
            let view = WidgetView(event: event, settings: speaking, now: now)
            try add(try widgetHTML(view), in: SitePaths.widgetDirectory(event.publicID), language)
            try add(try pageHTML(item, widget: view, settings: speaking), in: SitePaths.pageDirectory(event.publicID), language)
            // Each placement: the same widget, its links and beacon carrying the placement's key.
            for placement in item.placements {
                try add(try widgetHTML(view.placed(at: placement.key)), in: SitePaths.placementDirectory(event.publicID, placement.key), language)
            }
        }
        return files
    }

    /// An event's own subscription feed: what a deleted event keeps (as its cancellation).
    public func eventFeed(_ item: PublishableEvent) -> OutputFile {
        let event = item.event
        let feed = icsWriter.feed(name: PlainText.normalized(event.title), description: PlainText.normalized(event.title), entries: [entry(item)])
        return OutputFile(relativePath: SitePaths.eventFeed(event.publicID), contents: Array(feed.utf8))
    }

    /// An organizer's feed of listed events.
    public func organizerFeed(_ feed: OrganizerFeed) -> OutputFile {
        let name = feed.owner.feedName(userDefaults: feed.userDefaults)
        let entries = feed.events.map { event in
            // Each event in its own widget's language and reminder: what its download says too.
            let own = WidgetSettings.resolve(userDefaults: feed.userDefaults, event: event.customization)
            return ICSWriter.Entry(event: event, reminderMinutes: own.reminderMinutes, language: own.language)
        }
        let text = icsWriter.feed(name: name, description: name, entries: entries)
        return OutputFile(relativePath: SitePaths.organizerFeed(feed.owner.feedID), contents: Array(text.utf8))
    }

    private func entry(_ item: PublishableEvent) -> ICSWriter.Entry {
        let settings = item.settings
        return ICSWriter.Entry(event: item.event, reminderMinutes: settings.reminderMinutes, language: settings.language)
    }
}
