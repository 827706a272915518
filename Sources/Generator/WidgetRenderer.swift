import Core
import Foundation

/// The pure half of the generator: an event, its settings and the moment in, the exact bytes of
/// its public files out. No disk and no clock of its own: the same input always gives the same
/// output. `now` matters only for the widget, which says "ended" once the event is over.
public struct WidgetRenderer: Sendable {
    let templates: TemplateLibrary
    let icsWriter: ICSWriter

    public enum RenderError: Error, CustomStringConvertible {
        case templateFailed(String)
        public var description: String {
            switch self {
            case .templateFailed(let name): "template \(name) could not be rendered"
            }
        }
    }

    /// `uidHost` is the host of the public URL: it makes each `.ics` UID globally unique.
    public init(templates: TemplateLibrary, uidHost: String) {
        self.templates = templates
        self.icsWriter = ICSWriter(uidHost: uidHost)
    }

    /// The widget page alone. `counted` carries the view beacon and track links as published;
    /// previews of unsaved settings pass false, so an organizer's own looks count nothing.
    /// `placement` puts its key in both, so its traffic is attributed to it.
    public func widgetHTML(event: Event, settings: WidgetSettings, now: Date, placement: PublicID? = nil, counted: Bool = true) throws -> String {
        let view = WidgetView(event: event, settings: settings, now: now, placement: placement, counted: counted)
        guard let html = templates.render(view, template: "widget") else {
            throw RenderError.templateFailed("widget")
        }
        return html
    }

    /// All files of one event: the widget, its gzip twin, the `.ics`, the event's own feed, and
    /// each placement's widget with its gzip twin.
    public func render(_ item: PublishableEvent, now: Date) throws -> [OutputFile] {
        let settings = item.settings
        let event = item.event
        let html = Array(try widgetHTML(event: event, settings: settings, now: now).utf8)
        var files = [
            OutputFile(relativePath: SitePaths.widgetHTML(event.publicID), contents: html),
            OutputFile(relativePath: SitePaths.widgetGzip(event.publicID), contents: try Gzip.compress(html)),
            OutputFile(relativePath: SitePaths.calendarFile(event.publicID), contents: Array(icsWriter.calendar(for: entry(item)).utf8)),
            eventFeed(item),
        ]
        // Each placement: the same widget, its links and beacon carrying the placement's key.
        for placement in item.placements {
            let html = Array(try widgetHTML(event: event, settings: settings, now: now, placement: placement.key).utf8)
            files.append(OutputFile(relativePath: SitePaths.placementHTML(event.publicID, placement.key), contents: html))
            files.append(OutputFile(relativePath: SitePaths.placementGzip(event.publicID, placement.key), contents: try Gzip.compress(html)))
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
