import Core

/// Where each public file of an event lives, relative to the output root (`out/`). The URL layout
/// mirrors the file layout, so Nginx and `attendify serve` map one to the other without logic.
public enum SitePaths {
    public static func widgetDirectory(_ id: PublicID) -> String { "widget/event/\(id.rawValue)" }
    public static func widgetHTML(_ id: PublicID) -> String { variantHTML(in: widgetDirectory(id), nil) }
    /// A placement's own widget, inside its event's folder (removing the event removes it too).
    public static func placementDirectory(_ id: PublicID, _ key: PublicID) -> String { "\(widgetDirectory(id))/\(key.rawValue)" }
    /// The shareable event page, `/e/{id}`: a folder of its own, like the widget.
    public static func pageDirectory(_ id: PublicID) -> String { "e/\(id.rawValue)" }
    /// The event page's URL path (the folder's `index.html`, or a language variant of it).
    public static func pagePath(_ id: PublicID) -> String { "/e/\(id.rawValue)" }
    /// One language's variant of a page in `folder` (a widget's, a placement's, the event page's):
    /// `index.de.html`. An `auto` widget has one per language beside `index.html`, the fallback.
    public static func variantHTML(in folder: String, _ language: WidgetLanguage?) -> String {
        language.map { "\(folder)/index.\($0.rawValue).html" } ?? "\(folder)/index.html"
    }
    public static func variantGzip(in folder: String, _ language: WidgetLanguage?) -> String { variantHTML(in: folder, language) + ".gz" }
    /// True for a language variant's file name (`index.de.html`, `index.de.html.gz`).
    public static func isVariantFile(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 || (parts.count == 4 && parts[3] == "gz") else { return false }
        return parts[0] == "index" && parts[2] == "html" && WidgetLanguage(rawValue: String(parts[1])) != nil
    }
    public static func calendarDirectory(_ id: PublicID) -> String { "calendar/\(id.rawValue)" }
    public static func calendarFile(_ id: PublicID) -> String { "\(calendarDirectory(id))/download.ics" }
    /// An event's own subscription feed, next to its download: what a deleted event keeps.
    public static func eventFeed(_ id: PublicID) -> String { "\(calendarDirectory(id))/feed.ics" }
    public static func organizerFeedDirectory(_ feedID: PublicID) -> String { "feed/\(feedID.rawValue)" }
    public static func organizerFeed(_ feedID: PublicID) -> String { "\(organizerFeedDirectory(feedID))/calendar.ics" }

    /// Parent folders that hold one sub-folder per event.
    public static let eventRoots = ["widget/event", "calendar", "e"]
    /// The parent folder of the organizers' feed folders.
    public static let feedRoot = "feed"

}
