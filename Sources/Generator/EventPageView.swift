import Core
import Foundation
import Mustache

/// What `event.mustache` shows: the widget's content (the same buttons, times and colours) plus
/// what a shared link needs: absolute URLs, Open Graph and Twitter card texts, `schema.org/Event`
/// structured data, and `noindex` unless the organizer allowed indexing.
struct EventPageView {
    var widget: WidgetView
    var pageURL: String
    var indexable: Bool
    /// Open Graph and meta description: the description's first 200 characters, else the title.
    var summary: String
    /// JSON-LD, escaped so no text can end the script element (see `EventStructuredData`).
    var structuredData: String

    init(item: PublishableEvent, settings: WidgetSettings, now: Date, publicBase: String) {
        widget = WidgetView(event: item.event, settings: settings, now: now)
        pageURL = publicBase + SitePaths.pagePath(item.event.publicID)
        indexable = settings.allowIndexing
        let description = widget.description.trimmingCharacters(in: .whitespacesAndNewlines)
        summary = description.isEmpty ? widget.title : String(description.prefix(200))
        structuredData = EventStructuredData(
            event: item.event, title: widget.title, description: description, start: widget.sessionStart, end: widget.sessionEnd,
            cancelled: widget.cancelled, organizer: item.organizer.name, pageURL: pageURL, language: settings.language
        ).json
    }
}

extension EventPageView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "pageURL": pageURL
        case "indexable": indexable
        case "summary": summary
        case "structuredData": structuredData
        default: widget.child(named: name)
        }
    }
}
