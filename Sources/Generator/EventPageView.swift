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
    /// Open Graph and meta description: the description's first 200 characters on one line, else
    /// the title.
    var summary: String
    /// JSON-LD, escaped so no text can end the script element (see `EventStructuredData`).
    var structuredData: String

    /// `widget` is the event's own widget view (the renderer has just built it for the widget).
    init(item: PublishableEvent, widget: WidgetView, settings: WidgetSettings, publicBase: String) {
        self.widget = widget
        pageURL = publicBase + SitePaths.pagePath(item.event.publicID)
        indexable = settings.allowIndexing
        let description = widget.description.trimmingCharacters(in: .whitespacesAndNewlines)
        // One line: link previews show the summary as a single paragraph.
        let oneLine = description.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        summary = oneLine.isEmpty ? widget.title : String(oneLine.prefix(200))
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
